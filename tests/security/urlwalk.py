"""Every URL pattern the project resolves, as (key, pattern): key is the pattern's
namespaced name, or its route when it has none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    key: str  # "cases:case-detail", or the route of an unnamed pattern
    route: str  # the full route, for messages
    params: frozenset[str]  # the kwargs it takes
    named: bool = True  # False: the key is the route (no name to reverse)
    view: Any = field(default=None, compare=False)  # the class-based view, if it is one


def _params(route: str) -> frozenset[str]:
    found = re.findall(r"\(\?P<(\w+)>", route) + re.findall(r"<(?:\w+:)?(\w+)>", route)
    return frozenset(found)


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, route, inner)
            elif isinstance(entry, URLPattern):
                key = f"{namespace}{entry.name}" if entry.name else route
                view = getattr(entry.callback, "view_class", None)
                found.append(Pattern(key, route, _params(route), bool(entry.name), view))

    walk(get_resolver(), "", "")
    return found
