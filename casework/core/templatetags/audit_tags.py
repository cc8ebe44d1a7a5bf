from django import template

from casework.core.verbs import verb_label as _verb_label

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    """An audit verb's display name (登录, 越权访问被拒绝…)."""
    return _verb_label(verb)
