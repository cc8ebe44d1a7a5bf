"""The load test's summary: p50/p95/p99 and errors per request type, beside the /healthz floor.

`python tests/load/report.py PREFIX [--json OUT] [--max-p95-ms N] …`, run by `.ci/loadtest`
after locust: PREFIX.json is locust's `--json-file` output (every request type with its
response-time histogram), PREFIX_failures.csv its failures. Percentiles are computed from the
histograms the way locust computes them, so the "all users" line (every request but the floor)
is exact. Exit status 1 on any failed request or server traceback, or when --max-p95-ms is given
and the users' p95 exceeds it; latency alone never fails a run otherwise. Not a pytest module.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

FLOOR = "/healthz (floor)"
TARGET_P95_MS = 500  # ENGINEERING.md: 200 virtual users 10 min, p95 ≤ 500 ms, 0 errors


def percentile(times: Counter[float], fraction: float) -> float:
    total = sum(times.values())
    if not total:
        return 0.0
    wanted = total * fraction
    seen = 0
    for value in sorted(times):
        seen += times[value]
        if seen >= wanted:
            return value
    return max(times)


class Row:
    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0
        self.failures = 0
        self.total_ms = 0.0
        self.max_ms = 0.0
        self.times: Counter[float] = Counter()
        self.seconds = 0.0  # the run's length, for the request rate

    def add(self, entry: dict[str, Any]) -> None:
        self.count += entry["num_requests"]
        self.failures += entry["num_failures"]
        self.total_ms += entry["total_response_time"]
        self.max_ms = max(self.max_ms, entry["max_response_time"] or 0)
        for value, n in entry["response_times"].items():
            self.times[float(value)] += n

    def figures(self) -> dict[str, Any]:
        return {
            "name": self.label,
            "requests": self.count,
            "failures": self.failures,
            "rps": round(self.count / self.seconds, 2) if self.seconds else 0,
            "mean_ms": round(self.total_ms / self.count, 1) if self.count else 0,
            "p50_ms": percentile(self.times, 0.50),
            "p95_ms": percentile(self.times, 0.95),
            "p99_ms": percentile(self.times, 0.99),
            "max_ms": round(self.max_ms),
        }


def _failures(prefix: str) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix")
    parser.add_argument("--json", dest="out")
    parser.add_argument("--max-p95-ms", type=float)
    parser.add_argument("--users", default="")
    parser.add_argument("--duration", default="")
    parser.add_argument("--scale", default="")
    parser.add_argument("--tracebacks", type=int, default=0)
    parser.add_argument("--note", default="", help="e.g. the machine's load average")
    parser.add_argument("--web-cpu", type=float, default=0.0, help="gunicorn CPU seconds")
    parser.add_argument("--worker-cpu", type=float, default=0.0, help="Celery CPU seconds")
    parser.add_argument("--db-cpu", type=float, default=0.0, help="PostgreSQL CPU seconds")
    args = parser.parse_args()

    entries = json.loads(Path(f"{args.prefix}.json").read_text(encoding="utf-8"))
    rows: dict[str, Row] = {}
    users, floor = Row("all users (every request but the floor)"), Row(FLOOR)
    starts = [e["start_time"] for e in entries if e.get("start_time")]
    ends = [e["last_request_timestamp"] for e in entries if e.get("last_request_timestamp")]
    seconds = max(ends) - min(starts) if starts and ends else 0.0
    for entry in entries:
        label = f"{entry['method']} {entry['name']}"
        if entry["name"].startswith(("GET ", "POST ", "PUT ")) or entry["name"] in {
            "login page",
            "login (form)",
            FLOOR,
        }:
            label = entry["name"]
        rows.setdefault(label, Row(label)).add(entry)
        (floor if entry["name"] == FLOOR else users).add(entry)
    for row in [*rows.values(), users, floor]:
        row.seconds = seconds

    table = sorted(
        (r.figures() for r in rows.values() if r.label != FLOOR), key=lambda f: f["name"]
    )
    header = f"{'request':<48} {'n':>6} {'err':>4} {'req/s':>6} " + " ".join(
        f"{h:>6}" for h in ("p50", "p95", "p99", "max")
    )
    print(f"load test: {args.users} users, {args.duration}, scale {args.scale} (times in ms)")
    if args.note:
        print(args.note)
    print(header)
    print("-" * len(header))
    for f in [*table, None, users.figures(), floor.figures()]:
        if f is None:
            print("-" * len(header))
            continue
        print(
            f"{f['name'][:48]:<48} {f['requests']:>6} {f['failures']:>4} {f['rps']:>6} "
            f"{f['p50_ms']:>6.0f} {f['p95_ms']:>6.0f} {f['p99_ms']:>6.0f} {f['max_ms']:>6}"
        )
    u, fl = users.figures(), floor.figures()
    ratio = u["p95_ms"] / fl["p95_ms"] if fl["p95_ms"] else 0
    print(
        f"users p95 {u['p95_ms']:.0f} ms = {ratio:.1f}× the /healthz floor's p95 "
        f"({fl['p95_ms']:.0f} ms); ENGINEERING.md target p95 ≤ {TARGET_P95_MS} ms "
        f"({'met' if u['p95_ms'] <= TARGET_P95_MS else 'NOT met'}); "
        f"failed requests {u['failures'] + fl['failures']}; server tracebacks {args.tracebacks}"
    )
    served = u["requests"] + fl["requests"]
    web_ms = 1000 * args.web_cpu / served if served else 0
    db_ms = 1000 * args.db_cpu / served if served else 0
    ceiling = 2000 / (web_ms + db_ms) if web_ms + db_ms else 0
    print(
        f"CPU a request: gunicorn {web_ms:.0f} ms + PostgreSQL {db_ms:.0f} ms "
        f"({args.web_cpu:.1f} s + {args.db_cpu:.1f} s for {served} requests, logins included); "
        f"2 idle cores would serve ≈ {ceiling:.0f} requests/s of this mix; "
        f"Celery worker + beat {args.worker_cpu:.1f} s"
    )
    failures = _failures(args.prefix)
    for row in failures[:20]:
        print(f"  failure: {row.get('Method')} {row.get('Name')} ×{row.get('Occurrences')}: "
              f"{row.get('Error', '')[:300]}")  # fmt: skip

    status = 0
    if u["failures"] or fl["failures"] or args.tracebacks:
        status = 1
    if args.max_p95_ms is not None and u["p95_ms"] > args.max_p95_ms:
        print(f"users p95 {u['p95_ms']:.0f} ms exceeds --max-p95-ms {args.max_p95_ms:.0f}")
        status = 1
    if args.out:
        summary = {
            "users": args.users, "duration": args.duration, "scale": args.scale,
            "requests": table, "all_users": u, "floor": fl,
            "p95_ratio_to_floor": round(ratio, 2), "target_p95_ms": TARGET_P95_MS,
            "server_tracebacks": args.tracebacks, "note": args.note, "failures": failures,
            "web_cpu_seconds": args.web_cpu, "web_cpu_ms_per_request": round(web_ms, 1),
            "db_cpu_seconds": args.db_cpu, "db_cpu_ms_per_request": round(db_ms, 1),
            "worker_cpu_seconds": args.worker_cpu, "ceiling_rps_2_cores": round(ceiling, 1),
            "ok": status == 0,
        }  # fmt: skip
        Path(args.out).write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
