"""`python manage.py bench_inventory_pdf`: the printed inventory next to a minimal render.

ENGINEERING.md: a 1-page form ≤ 1 s (p95) and ≤ 3× a minimal-HTML render with the same fonts
in the same run; 100 items ≤ 5 s; memory flat over 200 renders. Runs in a throwaway database.

"Flat" here: the memory the process holds after the last render (garbage collected, free heap
pages returned with glibc's malloc_trim) is at most 10% above what it held after the warm-up.
That allows ~0.09 MB a render over 180 renders at ~160 MB: a leak of one form per render
shows, allocator noise (< 1 MB once trimmed) does not.
Needs the development requirements (psutil, pypdf): `make setup-dev`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries
from django.utils import timezone
from pypdf import PdfReader

from casework.cases.models import Case, Party
from casework.core.bench import Figure, report, throwaway_database
from casework.core.pdf import html_to_pdf
from casework.inventory.models import Inventory, PropertyItem
from casework.inventory.printing import inventory_pdf_render
from casework.inventory.selectors import inventory_digest
from casework.org.models import Profile, Station

# The lower bound: one line of Chinese in the three faces the form uses (sans, sans bold,
# serif bold), rendered by casework.core.pdf's own html_to_pdf (the same fetcher and fonts).
# What the form costs beyond it is its layout.
MINIMAL = """<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><style>
@page { size: A4; font-family: "Noto Sans CJK SC"; }
body { font-family: "Noto Sans CJK SC", sans-serif; }
.title { font-family: "Noto Serif CJK SC", serif; font-weight: bold; }
</style></head><body><p><span class="title">随身物品处置表</span> 张三 <b>手机</b> 一部</p></body>
</html>"""

SAMPLE: list[dict[str, Any]] = [
    {"category": "phone", "name": "手机", "quantity": "1", "unit": "部",
     "marks": "黑色 iPhone 13,IMEI 356789104512345", "condition": "屏幕有裂痕"},
    {"category": "wallet", "name": "钱包", "quantity": "1", "unit": "个",
     "size": "11×9 cm", "marks": "棕色皮质", "is_empty": True},
    {"category": "cash", "name": "人民币现金", "quantity": "351", "unit": "元",
     "denominations": {"100": 3, "50": 1, "0.5": 2}},
    {"category": "keys", "name": "钥匙", "quantity": "3", "unit": "把",
     "description": "带红色钥匙扣"},
    {"category": "clothing", "name": "腰带", "quantity": "1", "unit": "条", "marks": "黑色"},
]  # fmt: skip

MAX_RATIO, MAX_P95_S, MAX_HUNDRED_S, MAX_GROWTH = 3.0, 1.0, 5.0, 0.10

_libc_name = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_libc_name) if _libc_name else None
if _LIBC is not None and not hasattr(_LIBC, "malloc_trim"):  # not glibc
    _LIBC = None


@dataclass
class Memory:
    renders: int
    warmup: int
    rss_after_warmup_mb: float
    rss_after_last_mb: float
    # The highest RSS seen between collections: WeasyPrint leaves its font data in reference
    # cycles, freed only by a full collection (information, not a target).
    peak_mb: float

    @property
    def growth_mb(self) -> float:
        return self.rss_after_last_mb - self.rss_after_warmup_mb

    @property
    def ok(self) -> bool:
        return self.growth_mb <= MAX_GROWTH * self.rss_after_warmup_mb

    def line(self) -> str:
        return (
            f"memory over {self.renders} renders: RSS {self.rss_after_warmup_mb:.1f} MB after "
            f"render {self.warmup}, {self.rss_after_last_mb:.1f} MB after the last (growth "
            f"{self.growth_mb:+.1f} MB, {self.growth_mb / (self.renders - self.warmup):+.3f} MB a "
            f"render; peak between collections {self.peak_mb:.1f} MB)  "
            f"target growth ≤ {MAX_GROWTH:.0%} {'ok' if self.ok else 'MISSED'}\n"
        )


# ---- data: written straight to the throwaway database (the benchmark measures printing) ----


def _officer(station: Station, username: str, name: str, number: str) -> Any:
    user = get_user_model().objects.create(username=username)
    Profile.objects.create(user=user, police_number=number, display_name=name, station=station)
    return user


def _case() -> tuple[Case, Party, Any, Any]:
    station = Station.objects.create(
        code="BENCH1", name="基准派出所", bureau="基准分局", province="省", city="市", county="县"
    )
    officer = _officer(station, "bench_1", "李瑞旸", "900001")
    second = _officer(station, "bench_2", "孙浩", "900002")
    case = Case.objects.create(
        station=station, number="BENCH-2026-000001", kind=Case.Kind.ADMINISTRATIVE,
        title="张某殴打他人案", summary="基准", occurred_at=timezone.now(), created_by=officer,
    )  # fmt: skip
    party = Party.objects.create(case=case, role=Party.Role.SUSPECT, name="张三", gender="M")
    return case, party, officer, second


def _signed_inventory(count: int, case: Case, party: Party, officer: Any, second: Any) -> Inventory:
    """A signed inventory of `count` items (the sample, repeated)."""
    inventory = Inventory.objects.create(
        station=case.station, case=case, party=party, place="候问室", created_by=officer,
        taken_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    for line in range(1, count + 1):
        values = SAMPLE[(line - 1) % len(SAMPLE)] | {"line": line}
        values["quantity"] = Decimal(values["quantity"])
        PropertyItem.objects.create(inventory=inventory, **values)
    inventory.signed_by, inventory.second_officer = officer, second
    inventory.suspect_signature = Inventory.SuspectSignature.SIGNED
    inventory.status, inventory.signed_at = Inventory.Status.SIGNED, timezone.now()
    inventory.sha256 = inventory_digest(inventory)
    inventory.save()
    return Inventory.objects.select_related("case", "party", "station").get(pk=inventory.pk)


# ---- measuring ------------------------------------------------------------------------------


def _minimal_render() -> bytes:
    return html_to_pdf(MINIMAL)


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _p95(times: list[float]) -> float:
    return sorted(times)[math.ceil(0.95 * len(times)) - 1]  # nearest rank


def _timed(render: Callable[[], bytes]) -> tuple[float, float, bytes]:
    """Wall time and CPU time of one render, and the PDF."""
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = render()
    return time.perf_counter() - wall, time.process_time() - cpu, pdf


def _side_by_side(form: Callable[[], bytes], runs: int) -> dict[str, list[float]]:
    """Alternate the form and the minimal render, so drift in the machine's load hits both."""
    form(), _minimal_render()  # warm-up: imports, fontconfig's cache
    times: dict[str, list[float]] = {"form": [], "form_cpu": [], "minimal": [], "minimal_cpu": []}
    for _ in range(runs):
        for name, render in (("form", form), ("minimal", _minimal_render)):
            wall, cpu, _pdf = _timed(render)
            times[name].append(wall)
            times[f"{name}_cpu"].append(cpu)
    return times


def _live_mb() -> float:
    """RSS once garbage is collected and glibc has handed its free pages back: what the
    process really holds, without the allocator's slack (±30 MB between two samples)."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
    return _rss_mb()


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def _memory(render: Callable[[], bytes], renders: int, warmup: int) -> Memory:
    after_warmup, peak = 0.0, 0.0
    for done in range(1, renders + 1):
        render()
        reset_queries()  # DEBUG's query log is not the renderer's memory
        peak = max(peak, _rss_mb())
        if done == warmup:
            after_warmup = _live_mb()
    return Memory(renders, warmup, after_warmup, _live_mb(), peak)


def _figures(
    times: dict[str, list[float]], one_pages: int, hundred: tuple[float, int]
) -> list[Figure]:
    runs, median = len(times["form"]), {k: statistics.median(v) for k, v in times.items()}
    form_p95, hundred_s, hundred_pages = _p95(times["form"]), *hundred
    return [
        Figure(f"{one_pages}-page form (5 items), median of {runs}", median["form"],
               "minimal HTML", median["minimal"], f"≤ {MAX_RATIO:g}×, 1 page",
               median["form"] <= MAX_RATIO * median["minimal"] and one_pages == 1),
        Figure(f"{one_pages}-page form (5 items), p95 of {runs}", form_p95, "minimal HTML",
               _p95(times["minimal"]), f"≤ {MAX_P95_S:g} s", form_p95 <= MAX_P95_S),
        Figure("same, CPU time, median", median["form_cpu"], "minimal HTML",
               median["minimal_cpu"]),
        Figure(f"100-item form: {hundred_pages} pages", hundred_s, target=f"≤ {MAX_HUNDRED_S:g} s",
               ok=hundred_s <= MAX_HUNDRED_S),
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Benchmark the inventory PDF against a minimal render with the same fonts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--runs", type=int, default=30, help="timed renders of each kind")
        parser.add_argument("--renders", type=int, default=200, help="renders for memory")
        parser.add_argument("--warmup", type=int, default=20, help="renders before RSS baseline")
        default_json = Path(settings.VAR_DIR) / "bench" / "inventory_pdf.json"
        parser.add_argument("--json", default=str(default_json), help="where to write figures")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 0 < opts["warmup"] < opts["renders"] or opts["runs"] < 1:
            raise CommandError("need --runs ≥ 1 and 0 < --warmup < --renders")
        with throwaway_database() as name:
            self.stdout.write(f"database {name}\n")
            people = _case()
            one, hundred = (_signed_inventory(n, *people) for n in (len(SAMPLE), 100))
            render_one = partial(inventory_pdf_render, inventory=one)
            times = _side_by_side(render_one, opts["runs"])
            hundred_s, _cpu, pdf = _timed(partial(inventory_pdf_render, inventory=hundred))
            figures = _figures(times, _pages(render_one()), (hundred_s, _pages(pdf)))
            memory = _memory(render_one, opts["renders"], opts["warmup"])
        ok = report(figures, self.stdout)
        self.stdout.write(memory.line())
        self._save(Path(opts["json"]), figures, times, memory)
        if not (ok and memory.ok):
            raise CommandError("a target was missed")

    def _save(
        self, path: Path, figures: list[Figure], times: dict[str, list[float]], memory: Memory
    ) -> None:
        data = {
            "figures": [asdict(f) | {"ratio": f.ratio} for f in figures],
            "memory": asdict(memory) | {"growth_mb": memory.growth_mb, "ok": memory.ok},
            "seconds": times,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
        self.stdout.write(f"figures written to {path}\n")
