"""`python manage.py bench_dashboard`: the leadership dashboard at city scale, next to a
hand-written GROUP BY that computes the same figures.

ENGINEERING.md: the same number of SQL queries at 1% and 100% scale (≤ 10), and ≤ 2× a
hand-written GROUP BY in the same run. Runs in a throwaway PostgreSQL database filled by
`INSERT … SELECT generate_series` at `--scale` (1.0: 50 stations, 2,000 officers, 500k cases
with their viewflow processes and tasks, 1M incidents over two years, clocks, trips and
reminders, inventories, retrospectives, conduct records, outcomes, daily reports).

The baseline is one SQL statement per table, run through a cursor; the command first checks
that it gives every station exactly the numbers `dashboard()` gives, so the ratio is honest.
CI asserts the ratio and the query count, never absolute times.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.cases.models import Case, DailyIncidentReport, Incident, Party
from casework.conduct.models import ConductRecord
from casework.core.bench import Figure, report, throwaway_database
from casework.dashboards.selectors import dashboard
from casework.deadlines.models import Deadline
from casework.inventory.models import Inventory
from casework.org.models import Station
from casework.org.services import officer_upsert
from casework.reviews.models import CorrectiveAction, Outcome, Retrospective
from casework.trips.models import Reminder, Trip
from casework.workflow.flows import CaseFlow
from casework.workflow.models import CaseProcess
from casework.workflow.services import case_start

MAX_RATIO = 2.0
MAX_QUERIES = 10
OFFICERS_PER_STATION = 40  # 2,000 officers in 50 stations

# The human steps a case passes through, in order (×2, so the revision fits in between), and
# the step a case of each status waits at: an evaluated case has done them all.
STEPS = {
    "start": 0, "acceptance_review": 2, "acceptance_revision": 3, "investigation": 4,
    "disposition_review": 6, "chief_approval": 8, "evaluation": 10,
}  # fmt: skip
GATES = {  # the gates the dashboard counts, by node, and the key it reports them under
    "acceptance_review": "acceptance",
    "disposition_review": "disposition",
    "chief_approval": "chief_approval",
    "evaluation": "evaluation",
}
CATEGORIES = [
    "盗窃", "邻里纠纷", "家庭纠纷", "交通事故", "求助", "诈骗", "打架斗殴", "噪音扰民",
    "经济纠纷", "其他",
]  # fmt: skip
SUMMARY = "某日某时许,报警人称在辖区某路段发生情况,民警到场后经初步调查,已依法开展后续工作。" * 3

# Cases are planned once in a temporary table (station, kind, dates, status), so the case rows,
# their processes, tasks, clocks, parties, retrospectives and outcomes agree with each other.
# A case closes 0.5–60 days after it is opened (3% never do); an open one waits at a step.
POPULATE: dict[str, str] = {
    "plan cases": """
    CREATE TEMP TABLE bench_case AS
    WITH raw AS (
        SELECT i, 1 + floor(%(n_stations)s * power(random(), 1.3))::int AS idx,
               CASE WHEN random() < 0.4 THEN 'criminal' ELSE 'administrative' END AS kind,
               %(now)s - random() * interval '730 days' AS created_at,
               random() AS r_close, random() AS r_open, random() AS r_status, random() AS r_task
        FROM generate_series(1, %(cases)s) AS i
    ), planned AS (
        SELECT *, CASE WHEN r_open < 0.97
                       THEN created_at + (0.5 + 60 * r_close) * interval '1 day' END AS close_at
        FROM raw
    )
    SELECT i, idx, (%(stations)s::bigint[])[idx] AS station_id, kind, created_at,
           CASE WHEN close_at <= %(now)s THEN close_at END AS closed_at,
           CASE WHEN close_at <= %(now)s AND close_at > %(now)s - interval '30 days'
                     AND r_status < 0.5 THEN 'closed'
                WHEN close_at <= %(now)s THEN 'evaluated'
                WHEN r_status < 0.20 THEN 'acceptance_review'
                WHEN r_status < 0.25 THEN 'acceptance_revision'
                WHEN r_status < 0.75 THEN 'investigating'
                WHEN r_status < 0.90 THEN 'disposition_review'
                ELSE 'chief_approval' END AS status,
           r_task
    FROM planned
    """,
    "cases": """
    INSERT INTO cases_case (id, number, kind, title, summary, occurred_at, is_major,
        reconsideration_risk, status, disposition_proposal, disposition_basis, version,
        created_at, closed_at, created_by_id, station_id)
    SELECT %(case_base)s + i, 'BENCH-' || i, kind, '基准案件' || i, %(summary)s,
           created_at - interval '2 hours', mod(i, 50) = 0, mod(i, 30) = 0, status,
           CASE WHEN closed_at IS NULL THEN '' ELSE '拟予以处罚' END, '', 1, created_at, closed_at,
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1 + mod(i, %(per_station)s)],
           station_id
    FROM bench_case
    """,
    "viewflow processes": """
    INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
    SELECT %(process_base)s + i, %(flow_class)s,
           CASE WHEN status = 'evaluated' THEN %(process_done)s ELSE %(process_new)s END,
           created_at,
           CASE WHEN status = 'evaluated' THEN least(%(now)s, closed_at + interval '3 days') END,
           '{}'::jsonb
    FROM bench_case
    """,
    "case processes": """
    INSERT INTO workflow_caseprocess (process_ptr_id, route, case_id)
    SELECT %(process_base)s + i, CASE WHEN status = 'evaluated' THEN 'approve' ELSE '' END,
           %(case_base)s + i
    FROM bench_case
    """,
    # Every step a case has passed is a DONE task; the step it waits at is NEW, created within
    # the last week (or when the case got there, if later).
    "viewflow tasks": """
    INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, started, finished,
        token, process_id, data)
    SELECT n.flow_task, n.type, CASE WHEN n.step = c.step THEN %(task_new)s ELSE %(task_done)s END,
           CASE WHEN n.step = c.step THEN c.waiting_since ELSE c.created_at + n.step * c.pace END,
           CASE WHEN n.step < c.step THEN c.created_at + n.step * c.pace END,
           CASE WHEN n.step < c.step THEN c.created_at + (n.step + 1) * c.pace END,
           'START', %(process_base)s + c.i, '{}'::jsonb
    FROM (
        SELECT i, created_at,
               CASE status WHEN 'acceptance_review' THEN 2 WHEN 'acceptance_revision' THEN 3
                    WHEN 'investigating' THEN 4 WHEN 'disposition_review' THEN 6
                    WHEN 'chief_approval' THEN 8 WHEN 'closed' THEN 10 ELSE 12 END AS step,
               greatest(coalesce(closed_at, created_at),
                        %(now)s - r_task * interval '7 days') AS waiting_since,
               (coalesce(closed_at, %(now)s) - created_at) / 13 AS pace
        FROM bench_case
    ) c
    JOIN unnest(%(node_refs)s::text[], %(node_steps)s::int[], %(node_types)s::text[])
         AS n(flow_task, step, type)
      ON n.step <= c.step AND (n.step <> 3 OR c.step = 3)
    """,
    # 1M incidents over two years, 30% of them disputes (纠纷); older than three days almost all
    # closed or diverted, the last three days still being handled.
    "incidents": """
    INSERT INTO cases_incident (number, source, received_at, category, location, reporter,
        reporter_phone, summary, status, outcome, diverted_to, closed_at, created_at,
        created_by_id, station_id)
    SELECT 'JQ-' || i, CASE WHEN mod(i, 10) = 0 THEN 'walk_in' ELSE '110' END, received_at,
           (%(categories)s::text[])[1 + floor(r_category * %(n_categories)s)::int],
           '某区某路' || mod(i, 977) || '号', '报警人', '13800000000', %(summary)s, status,
           CASE WHEN status = 'closed' THEN '已调解' ELSE '' END,
           CASE WHEN status = 'diverted' THEN '街道综治中心' ELSE '' END,
           CASE WHEN status IN ('closed', 'diverted')
                THEN least(%(now)s, received_at + interval '5 hours') END,
           received_at,
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1 + mod(i, %(per_station)s)],
           (%(stations)s::bigint[])[idx]
    FROM (
        SELECT i, idx, received_at, r_category,
               CASE WHEN received_at < %(now)s - interval '3 days' THEN
                    CASE WHEN r < 0.94 THEN 'closed' WHEN r < 0.994 THEN 'diverted'
                         WHEN r < 0.997 THEN 'handled' ELSE 'dispatched' END
                    ELSE CASE WHEN r < 0.5 THEN 'closed' WHEN r < 0.6 THEN 'diverted'
                         WHEN r < 0.75 THEN 'handled' WHEN r < 0.9 THEN 'dispatched'
                         ELSE 'open' END END AS status
        FROM (
            SELECT i, 1 + floor(%(n_stations)s * power(random(), 1.3))::int AS idx,
                   %(now)s - random() * interval '730 days' AS received_at,
                   random() AS r_category, random() AS r
            FROM generate_series(1, %(incidents)s) AS i
        ) a
    ) b
    """,
    # Two clocks a case: met once it closed; running otherwise, due from a day ago to a month
    # ahead (a few overdue, a few due today).
    "deadlines": """
    INSERT INTO deadlines_deadline (case_id, rule_id, trigger, link, title, text, legal_basis,
        started_at, due_at, status, met_at, met_note)
    SELECT %(case_base)s + c.i, NULL, 'bench:' || k, '', '法定时限', '', '[]'::jsonb,
           c.created_at,
           CASE WHEN c.closed_at IS NULL
                THEN %(now)s + (random() * 30 - 1) * interval '1 day'
                ELSE c.created_at + k * interval '7 days' END,
           CASE WHEN c.closed_at IS NULL THEN 'open' ELSE 'met' END,
           CASE WHEN c.closed_at IS NOT NULL
                THEN least(c.closed_at, c.created_at + k * interval '3 days') END,
           ''
    FROM bench_case c CROSS JOIN generate_series(1, 2) AS k
    """,
    "trips": """
    INSERT INTO trips_trip (station_id, province, city, county, departs_at, returns_at, purposes,
        carries_firearm, uses_vehicle, escorts_suspect, suspect_gender, created_by_id,
        created_at)
    SELECT (%(stations)s::bigint[])[idx], '广东省', '深圳市', '南山区', departs_at,
           departs_at + (1 + mod(i, 4)) * interval '1 day', '["arrest"]'::jsonb,
           mod(i, 5) = 0, true, mod(i, 3) = 0, '',
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1 + mod(i, %(per_station)s)],
           departs_at - interval '2 days'
    FROM (
        SELECT i, 1 + mod(i, %(n_stations)s) AS idx,
               %(now)s - interval '730 days' + random() * interval '744 days' AS departs_at
        FROM generate_series(1, %(trips)s) AS i
    ) t
    """,
    # Six reminders a trip for two officers: past trips acknowledged (a few never were),
    # trips to come 60% acknowledged so far.
    "reminders": """
    INSERT INTO trips_reminder (trip_id, officer_id, source, key, title, text, legal_basis,
        severity, created_at, acknowledged_at)
    SELECT t.id,
           (%(officers)s::int[])[(array_position(%(stations)s::bigint[], t.station_id) - 1)
                                 * %(per_station)s + 1 + mod(t.id + k / 4, %(per_station)s)],
           'rule', 'bench:' || k, '执法安全提醒', %(summary)s, '[]'::jsonb, 'warning',
           t.created_at,
           CASE WHEN t.departs_at < %(now)s
                THEN CASE WHEN random() < 0.995 THEN t.departs_at - interval '3 hours' END
                WHEN random() < 0.6 THEN %(now)s - interval '1 hour' END
    FROM trips_trip t CROSS JOIN generate_series(1, 6) AS k
    """,
    "parties": """
    INSERT INTO cases_party (case_id, role, name, gender, id_number, is_minor, created_at)
    SELECT %(case_base)s + i, 'suspect', '嫌疑人' || i, 'M', '', false, created_at
    FROM bench_case WHERE mod(i, 3) = 0
    """,
    # An inventory per suspect: open (draft or signed) while the case runs, closed after it
    # (0.3% forgotten, still signed).
    "inventories": """
    INSERT INTO inventory_inventory (station_id, case_id, party_id, revision, correction_reason,
        taken_at, place, status, created_by_id, created_at, signed_at, witness_name,
        suspect_signature, refusal_reason, sha256, closed_at, pdf, pdf_error)
    SELECT c.station_id, p.case_id, p.id, 1, '', c.created_at, '办案区', s.status,
           (%(officers)s::int[])[(c.idx - 1) * %(per_station)s + 1 + mod(c.i, %(per_station)s)],
           c.created_at,
           CASE WHEN s.status <> 'draft' THEN c.created_at + interval '1 hour' END, '',
           CASE WHEN s.status <> 'draft' THEN 'signed' ELSE '' END, '', '',
           CASE WHEN s.status = 'closed' THEN coalesce(c.closed_at, %(now)s) END, '', ''
    FROM cases_party p
    JOIN bench_case c ON c.i = p.case_id - %(case_base)s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.closed_at IS NOT NULL THEN
                    CASE WHEN random() < 0.003 THEN 'signed' ELSE 'closed' END
                    WHEN random() < 0.3 THEN 'draft' WHEN random() < 0.7 THEN 'signed'
                    ELSE 'closed' END AS status
    ) s
    """,
    # One case in twenty has its retrospective: in progress for two months, then closed.
    "retrospectives": """
    INSERT INTO reviews_retrospective (station_id, case_id, trigger, status, opened_at,
        closed_at)
    SELECT station_id, %(case_base)s + i, 'major_case', state, opened_at,
           CASE WHEN state = 'closed' THEN least(%(now)s, opened_at + interval '30 days') END
    FROM (
        SELECT *, CASE WHEN opened_at > %(now)s - interval '60 days' OR random() < 0.02
                       THEN 'open' ELSE 'closed' END AS state
        FROM (SELECT *, least(%(now)s, coalesce(closed_at, created_at) + interval '1 day')
                        AS opened_at
              FROM bench_case WHERE mod(i, 20) = 0) c
    ) r
    """,
    "findings": """
    INSERT INTO reviews_finding (retrospective_id, category_id, description, cause,
        created_by_id, created_at)
    SELECT r.id, cat.ids[1 + mod(r.id, cardinality(cat.ids))::int], '文书瑕疵', '',
           (%(officers)s::int[])[1], r.opened_at
    FROM reviews_retrospective r,
         (SELECT array_agg(id ORDER BY id) AS ids FROM reviews_findingcategory) cat
    """,
    # Two actions a finding, due 15 days after the retrospective opened: verified once it
    # closed; open, done, rejected or verified while it runs.
    "corrective actions": """
    INSERT INTO reviews_correctiveaction (retrospective_id, finding_id, description, owner_id,
        due_on, status, evidence, completed_at, verified_at, verification_note, rejections,
        created_by_id, created_at)
    SELECT r.id, f.id, '整改措施' || k, f.created_by_id,
           ((r.opened_at AT TIME ZONE %(tz)s) + interval '15 days')::date, s.status, '',
           CASE WHEN s.status IN ('done', 'verified')
                THEN least(%(now)s, r.opened_at + interval '8 days') END,
           CASE WHEN s.status = 'verified'
                THEN coalesce(r.closed_at, least(%(now)s, r.opened_at + interval '10 days'))
           END,
           '', CASE WHEN s.status = 'rejected' THEN 1 ELSE 0 END, f.created_by_id, r.opened_at
    FROM reviews_finding f
    JOIN reviews_retrospective r ON r.id = f.retrospective_id
    CROSS JOIN generate_series(1, 2) AS k
    CROSS JOIN LATERAL (
        SELECT CASE WHEN r.status = 'closed' THEN 'verified'
                    ELSE (ARRAY['open', 'open', 'open', 'open', 'open', 'done', 'done',
                                'rejected', 'verified', 'verified'])[1 + floor(random() * 10)::int]
               END AS status
    ) s
    """,
    # Conduct records over two years: 60% carry 1–3 points; 5% voided by an upheld objection.
    "conduct records": """
    INSERT INTO conduct_conductrecord (station_id, officer_id, kind, points, category, reason,
        source, created_at, objection, objection_status, objection_note)
    SELECT (%(stations)s::bigint[])[idx],
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1
                                 + floor(random() * %(per_station)s)::int],
           CASE WHEN r < 0.6 THEN 'points' ELSE 'reminder' END,
           CASE WHEN r < 0.6 THEN 1 + floor(random() * 3)::int ELSE 0 END,
           '文书瑕疵', '复盘问题', 'bench:' || i, %(now)s - random() * interval '730 days', '',
           CASE WHEN r2 < 0.05 THEN 'upheld' WHEN r2 < 0.08 THEN 'pending' ELSE '' END, ''
    FROM (
        SELECT i, 1 + floor(%(n_stations)s * random())::int AS idx, random() AS r,
               random() AS r2
        FROM generate_series(1, %(conduct)s) AS i
    ) x
    """,
    # About 0.6% of administrative cases end in a reconsideration (4 in 5) or a lawsuit,
    # each recorded as a case event with its outcome.
    "outcome events": """
    INSERT INTO cases_caseevent (case_id, kind, occurred_at, note, created_by_id, created_at)
    SELECT %(case_base)s + i,
           CASE WHEN mod(i, 5) = 0 THEN 'complaint_received' ELSE 'reconsideration_filed' END,
           filed_at, 'bench:outcome', (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1],
           filed_at
    FROM (SELECT *, least(%(now)s, coalesce(closed_at, created_at)
                                   + (5 + mod(i, 50)) * interval '1 day') AS filed_at
          FROM bench_case WHERE kind = 'administrative' AND mod(i, 97) = 0) c
    """,
    "outcomes": """
    INSERT INTO reviews_outcome (case_id, kind, filed_on, body, event_id, result,
        created_by_id, created_at)
    SELECT case_id,
           CASE WHEN kind = 'complaint_received' THEN 'litigation' ELSE 'reconsideration' END,
           (occurred_at AT TIME ZONE %(tz)s)::date, '区人民政府', id,
           CASE WHEN mod(id, 3) = 0 THEN 'upheld' ELSE '' END, created_by_id, created_at
    FROM cases_caseevent WHERE note = 'bench:outcome'
    """,
    # A daily report per station and day for two years: today's not due yet, the last two
    # days 40% cleared, older ones cleared but a few.
    "daily reports": """
    INSERT INTO cases_dailyincidentreport (station_id, day, created_at, cleared_at)
    SELECT s.id, %(today)s - d, made_at,
           CASE WHEN d = 0 THEN NULL
                WHEN d < 3 THEN CASE WHEN random() < 0.4
                                     THEN least(%(now)s, made_at + interval '10 hours') END
                WHEN random() < 0.995 THEN made_at + interval '1 day' END
    FROM unnest(%(stations)s::bigint[]) AS s(id)
    CROSS JOIN generate_series(0, 729) AS d
    CROSS JOIN LATERAL (
        SELECT ((%(today)s - d)::timestamp + interval '6 hours') AT TIME ZONE %(tz)s AS made_at
    ) m
    """,
    "identity sequences": """
    SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case)),
           setval(pg_get_serial_sequence('viewflow_process', 'id'),
                  (SELECT max(id) FROM viewflow_process))
    """,
    "drop plan": "DROP TABLE bench_case",
}
# What autovacuum would have done to tables this size before anyone looked at a dashboard.
VACUUMED = [
    "cases_case", "viewflow_process", "workflow_caseprocess", "viewflow_task", "cases_incident",
    "deadlines_deadline", "trips_trip", "trips_reminder", "cases_party", "inventory_inventory",
    "reviews_retrospective", "reviews_finding", "reviews_correctiveaction",
    "conduct_conductrecord", "cases_caseevent", "reviews_outcome", "cases_dailyincidentreport",
    "org_station", "auth_user",
]  # fmt: skip

# The baseline: one GROUP BY per table, as one would write it by hand.
BASELINE: dict[str, str] = {
    "reviews": """
    SELECT c.station_id, t.flow_task,
           count(*) FILTER (WHERE t.created > %(one)s),
           count(*) FILTER (WHERE t.created <= %(one)s AND t.created > %(three)s),
           count(*) FILTER (WHERE t.created <= %(three)s)
    FROM viewflow_task t
    JOIN workflow_caseprocess p ON p.process_ptr_id = t.process_id
    JOIN cases_case c ON c.id = p.case_id
    WHERE t.status = 'NEW' AND t.flow_task = ANY(%(gate_refs)s) AND c.station_id = ANY(%(ids)s)
    GROUP BY 1, 2
    """,
    "clocks": """
    SELECT c.station_id, count(*) FILTER (WHERE d.due_at < %(now)s),
           count(*) FILTER (WHERE d.due_at >= %(now)s)
    FROM deadlines_deadline d JOIN cases_case c ON c.id = d.case_id
    WHERE d.status = 'open' AND d.due_at < %(day_end)s AND c.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "reminders": """
    SELECT t.station_id, count(*)
    FROM trips_reminder r JOIN trips_trip t ON t.id = r.trip_id
    WHERE r.acknowledged_at IS NULL AND t.departs_at BETWEEN %(now)s AND %(remind_until)s
      AND t.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "retrospectives": """
    SELECT station_id, count(*) FILTER (WHERE status = 'open'),
           count(*) FILTER (WHERE opened_at BETWEEN %(year_start)s AND %(now)s)
    FROM reviews_retrospective WHERE station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "actions": """
    SELECT r.station_id,
           count(*) FILTER (WHERE a.status IN ('open', 'rejected')),
           count(*) FILTER (WHERE a.status IN ('open', 'rejected') AND a.due_on < %(today)s),
           count(*) FILTER (WHERE a.status = 'verified'
                            AND a.verified_at BETWEEN %(year_start)s AND %(now)s)
    FROM reviews_correctiveaction a JOIN reviews_retrospective r ON r.id = a.retrospective_id
    WHERE r.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "officers": """
    SELECT station_id, count(*) FILTER (WHERE points >= %(threshold)s),
           count(*) FILTER (WHERE points < %(threshold)s AND largest > 0
                            AND points >= %(threshold)s - largest)
    FROM (SELECT station_id, officer_id, sum(points) AS points
          FROM conduct_conductrecord
          WHERE station_id = ANY(%(ids)s) AND created_at >= %(conduct_since)s
            AND objection_status <> 'upheld'
          GROUP BY 1, 2) o,
         (SELECT coalesce(max(points), 0) AS largest FROM conduct_pointrule) p
    GROUP BY 1
    """,
    "incidents": """
    SELECT station_id,
           count(*) FILTER (WHERE status IN ('open', 'dispatched', 'handled')),
           count(*) FILTER (WHERE received_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE received_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s
                            AND received_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s
                            AND received_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s AND status = 'closed'
                            AND received_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s AND status = 'closed'
                            AND received_at BETWEEN %(last_year_start)s AND %(last_year_now)s)
    FROM cases_incident WHERE station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "cases": """
    SELECT station_id,
           count(*) FILTER (WHERE created_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE created_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE kind = 'criminal'
                            AND created_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE kind = 'criminal'
                            AND created_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE closed_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE closed_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE kind = 'criminal' AND closed_at <= %(now)s
                            AND created_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE kind = 'criminal' AND closed_at <= %(last_year_now)s
                            AND created_at BETWEEN %(last_year_start)s AND %(last_year_now)s)
    FROM cases_case
    WHERE station_id = ANY(%(ids)s)
      AND (created_at >= %(last_year_start)s OR closed_at >= %(last_year_start)s)
    GROUP BY 1
    """,
    "inventories": """
    SELECT station_id, count(*) FROM inventory_inventory
    WHERE status IN ('draft', 'signed') AND station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "daily": """
    SELECT station_id, count(*) FROM cases_dailyincidentreport
    WHERE cleared_at IS NULL AND day < %(today)s AND station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "outcomes": """
    SELECT c.station_id,
           count(*) FILTER (WHERE o.kind = 'reconsideration'
                            AND o.filed_on BETWEEN %(year_from)s AND %(today)s),
           count(*) FILTER (WHERE o.kind = 'reconsideration'
                            AND o.filed_on BETWEEN %(last_year_from)s AND %(last_year_to)s),
           count(*) FILTER (WHERE o.kind = 'litigation'
                            AND o.filed_on BETWEEN %(year_from)s AND %(today)s),
           count(*) FILTER (WHERE o.kind = 'litigation'
                            AND o.filed_on BETWEEN %(last_year_from)s AND %(last_year_to)s)
    FROM reviews_outcome o JOIN cases_case c ON c.id = o.case_id
    WHERE c.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
}
COUNTS = {  # what each baseline statement's columns after the station (and node) are
    "clocks": ("overdue_deadlines", "due_today_deadlines"),
    "reminders": ("unacknowledged_reminders",),
    "retrospectives": ("retrospectives_in_progress", "retrospectives_this_year"),
    "actions": ("open_actions", "overdue_actions", "actions_verified_this_year"),
    "officers": ("officers_at_threshold", "officers_near_threshold"),
    "incidents": ("unclosed_incidents", "incidents_now", "incidents_before", "disputes_now",
                  "disputes_before", "resolved_now", "resolved_before"),
    "cases": ("accepted_now", "accepted_before", "filed_now", "filed_before", "closed_now",
              "closed_before", "cleared_now", "cleared_before"),
    "inventories": ("open_inventories",),
    "daily": ("uncleared_daily_reports",),
    "outcomes": ("rc_now", "rc_before", "lt_now", "lt_before"),
}  # fmt: skip
# Counts that only feed the trends (the unclosed incidents are a figure of their own).
_TREND_COUNTS = {*COUNTS["cases"], *COUNTS["outcomes"], *COUNTS["incidents"][1:]}


def _moments(now: datetime) -> dict[str, Any]:
    """The baseline's parameters: now, today, this year to date and last year's same span."""
    local = timezone.localtime(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    year_start = day_start.replace(month=1, day=1)
    try:
        last_year_now = local.replace(year=local.year - 1)
    except ValueError:  # 29 February
        last_year_now = local.replace(year=local.year - 1, day=28)
    last_year_start = year_start.replace(year=year_start.year - 1)
    return {
        "now": now,
        "today": local.date(),
        "day_end": day_start + timedelta(days=1),
        "year_start": year_start,
        "last_year_start": last_year_start,
        "last_year_now": last_year_now,
        "year_from": year_start.date(),
        "last_year_from": last_year_start.date(),
        "last_year_to": last_year_now.date(),
        "one": now - timedelta(days=1),
        "three": now - timedelta(days=3),
        "remind_until": now + timedelta(hours=48),
        "conduct_since": now - timedelta(days=settings.CONDUCT_PERIOD_DAYS),
        "threshold": settings.CONDUCT_TALK_POINTS,
        "dispute": "%纠纷%",
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _trend(now: float | None, before: float | None) -> dict[str, Any]:
    change = None if now is None or not before else round((now - before) * 100 / before, 1)
    return {"this_year": now, "last_year": before, "change_percent": change}


def _figures(counts: dict[str, Any]) -> dict[str, Any]:
    """The baseline's counts of one station in the shape of `StationFigures.as_dict()`."""
    c = counts
    by_gate = c.pop("pending_reviews_by_gate")
    trends = {
        "incidents": _trend(c["incidents_now"], c["incidents_before"]),
        "cases_accepted": _trend(c["accepted_now"], c["accepted_before"]),
        "cases_filed": _trend(c["filed_now"], c["filed_before"]),
        "cases_closed": _trend(c["closed_now"], c["closed_before"]),
        "clearance_rate": _trend(
            _rate(c["cleared_now"], c["filed_now"]), _rate(c["cleared_before"], c["filed_before"])
        ),
        "dispute_resolution_rate": _trend(
            _rate(c["resolved_now"], c["disputes_now"]),
            _rate(c["resolved_before"], c["disputes_before"]),
        ),
        "reconsiderations": _trend(c["rc_now"], c["rc_before"]),
        "litigations": _trend(c["lt_now"], c["lt_before"]),
    }
    kept = {k: v for k, v in c.items() if k not in _TREND_COUNTS}
    return kept | {
        "pending_reviews": sum(sum(ages.values()) for ages in by_gate.values()),
        "pending_reviews_by_gate": by_gate,
        "reconsiderations_this_year": c["rc_now"],
        "litigations_this_year": c["lt_now"],
        "trends": trends,
    }


def baseline(ids: list[int], moments: dict[str, Any], gate_of: dict[str, str]) -> dict[int, Any]:
    """The same figures by hand: one GROUP BY per table through a cursor."""
    params = {**moments, "ids": ids, "gate_refs": list(gate_of)}
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for name, sql in BASELINE.items():
            cursor.execute(sql, params)
            rows[name] = cursor.fetchall()
    counts: dict[int, dict[str, Any]] = {
        pk: {"pending_reviews_by_gate": {}} | {k: 0 for names in COUNTS.values() for k in names}
        for pk in ids
    }
    for station, flow_task, lt1, d1_3, gt3 in rows.pop("reviews"):
        counts[station]["pending_reviews_by_gate"][gate_of[flow_task]] = {
            "lt1": lt1, "d1_3": d1_3, "gt3": gt3,
        }  # fmt: skip
    for name, found in rows.items():
        for station, *values in found:
            counts[station].update(zip(COUNTS[name], values, strict=True))
    return {pk: _figures(c) for pk, c in counts.items()}


def _comparable(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if k not in {"station", "station_name"}}


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    keys = sorted(set(ours) | set(theirs))
    return [f"{k}: dashboard {ours.get(k)!r}, baseline {theirs.get(k)!r}" for k in keys
            if ours.get(k) != theirs.get(k)]  # fmt: skip


def _p95(times: list[float]) -> float:
    return sorted(times)[math.ceil(0.95 * len(times)) - 1]  # nearest rank


class Command(BaseCommand):
    help = "Benchmark the leadership dashboard against a hand-written GROUP BY (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0: 50 stations, 500k cases")
        parser.add_argument("--repeat", type=int, default=7, help="timed runs of each")
        default_json = Path(settings.VAR_DIR) / "bench" / "dashboard.json"
        parser.add_argument("--json", default=str(default_json), help="where to write figures")
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_dashboard measures PostgreSQL: set DATABASE_URL=postgres://…")
        if opts["scale"] <= 0 or opts["repeat"] < 1:
            raise CommandError("need --scale > 0 and --repeat ≥ 1")
        with throwaway_database(keep=opts["keep"]) as name:
            self.stdout.write(f"database {name}: populating at scale {opts['scale']:g}…\n")
            now = timezone.now().replace(microsecond=0)
            started = time.perf_counter()
            steps, gate_of = self._populate(now, opts["scale"])
            populated_s = time.perf_counter() - started
            rows = self._rows()
            self.stdout.write(
                "populated in {:.1f}s: {}\n".format(
                    populated_s, ", ".join(f"{n:,} {what}" for what, n in rows.items())
                )
            )
            result = self._measure(now, gate_of, opts["repeat"])
        figures, queries = result["figures"], result["queries"]
        ok = report(figures, self.stdout)
        budget_ok = max(queries.values()) <= MAX_QUERIES and len(set(queries.values())) == 1
        self.stdout.write(
            f"SQL queries per dashboard(): {queries['all_stations']} for {rows['stations']} "
            f"stations, {queries['one_station']} for one (target ≤ {MAX_QUERIES}, whatever the "
            f"scale) {'ok' if budget_ok else 'MISSED'}\n"
        )
        data = {
            "scale": opts["scale"],
            "repeat": opts["repeat"],
            "now": now.isoformat(),
            "rows": rows,
            "population_seconds": round(populated_s, 2),
            "population_steps": steps,
            "queries": queries | {"budget": MAX_QUERIES, "ok": budget_ok},
            "matched": result["matched"],
            "first_station": result["first_station"],
            "ratios": {"all_stations": figures[0].ratio, "one_station": figures[1].ratio},
            "figures": [asdict(f) | {"ratio": f.ratio} for f in figures],
            "seconds": result["seconds"],
            "ok": ok and budget_ok,
        }
        path = Path(opts["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")
        self.stdout.write(f"figures written to {path}\n")
        if not budget_ok:
            raise CommandError(f"query budget broken: {queries} (≤ {MAX_QUERIES}, constant)")
        if not ok:
            raise CommandError("a target was missed")

    # Population ------------------------------------------------------------------------------

    def _populate(self, now: datetime, scale: float) -> tuple[dict[str, float], dict[str, str]]:
        steps: dict[str, float] = {}
        clock = time.perf_counter()
        n_stations = max(2, round(50 * scale))
        stations = Station.objects.bulk_create(
            Station(code=f"S{n:03d}", name=f"第{n}派出所", bureau="基准分局", province="山东省",
                    city="东营市", county="东营区")
            for n in range(1, n_stations + 1)
        )  # fmt: skip
        users = [
            get_user_model()(username=f"bench{n:05d}", first_name=f"民警{n}")
            for n in range(n_stations * OFFICERS_PER_STATION)
        ]
        for user in users:
            user.set_unusable_password()
        get_user_model().objects.bulk_create(users)
        steps["stations and officers"] = time.perf_counter() - clock
        clock = time.perf_counter()
        refs = self._viewflow_refs(stations[0])
        steps["one real case through case_start"] = time.perf_counter() - clock
        n_cases = max(10, round(500_000 * scale))
        params = {
            "now": now,
            "today": timezone.localtime(now).date(),
            "tz": settings.TIME_ZONE,
            "stations": [s.pk for s in stations],
            "n_stations": n_stations,
            "officers": [u.pk for u in users],
            "per_station": OFFICERS_PER_STATION,
            "cases": n_cases,
            "incidents": max(20, round(1_000_000 * scale)),
            "trips": max(n_stations * 4, round(40_000 * scale)),
            "conduct": max(n_stations * 8, round(8_000 * scale)),
            "case_base": Case.objects.order_by("-pk").values_list("pk", flat=True)[0],
            "process_base": CaseProcess.objects.order_by("-pk").values_list("pk", flat=True)[0],
            "categories": CATEGORIES,
            "n_categories": len(CATEGORIES),
            "summary": SUMMARY,
            "node_refs": [refs["nodes"][node] for node in STEPS],
            "node_steps": list(STEPS.values()),
            "node_types": [refs["types"][node] for node in STEPS],
        } | {k: refs[k] for k in ("flow_class", "process_new", "process_done")}
        params |= {"task_new": refs["task_new"], "task_done": refs["task_done"]}
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.2026)")  # the same data every run
            for what, sql in POPULATE.items():
                clock = time.perf_counter()
                cursor.execute(sql, params)
                steps[what] = time.perf_counter() - clock
            clock = time.perf_counter()
            for table in VACUUMED:
                cursor.execute(f"VACUUM ANALYZE {table}")
            steps["vacuum analyze"] = time.perf_counter() - clock
        gate_of = {refs["nodes"][node]: gate for node, gate in GATES.items()}
        return {k: round(v, 2) for k, v in steps.items()}, gate_of

    def _viewflow_refs(self, station: Station) -> dict[str, Any]:
        """Start one case the way the product does and read back what viewflow stored, so the
        generated processes and tasks carry exactly its strings."""
        officer = officer_upsert(
            by=None, username="bench_officer", display_name="基准民警", police_number="990001",
            station=station, roles=["officer"],
        )  # fmt: skip
        case = case_start(by=officer.user, kind=Case.Kind.CRIMINAL, title="基准", summary="基准")
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT t.flow_task, t.flow_task_type, t.status, p.flow_class, p.status
                FROM viewflow_task t
                JOIN viewflow_process p ON p.id = t.process_id
                JOIN workflow_caseprocess cp ON cp.process_ptr_id = p.id
                WHERE cp.case_id = %s ORDER BY t.id
                """,
                [case.pk],
            )
            stored = {row[0]: row for row in cursor.fetchall()}
        field = Task._meta.get_field("flow_task")
        nodes = {node: field.get_prep_value(getattr(CaseFlow, node)) for node in STEPS}
        start, review = stored.get(nodes["start"]), stored.get(nodes["acceptance_review"])
        if start is None or review is None or review[2] != STATUS.NEW:
            raise CommandError(f"viewflow stored {sorted(stored)}, expected {nodes}")
        return {
            "nodes": nodes,
            "types": {node: start[1] if node == "start" else review[1] for node in STEPS},
            "task_new": review[2],
            "task_done": start[2],
            "flow_class": review[3],
            "process_new": review[4],
            "process_done": "DONE",
        }

    def _rows(self) -> dict[str, int]:
        gates = [getattr(CaseFlow, node) for node in GATES]
        return {
            "stations": Station.objects.count(),
            "officers": get_user_model().objects.count(),
            "cases": Case.objects.count(),
            "case processes": CaseProcess.objects.count(),
            "viewflow tasks": Task.objects.count(),
            "pending gate tasks": Task.objects.filter(
                status=STATUS.NEW, flow_task__in=gates
            ).count(),
            "incidents": Incident.objects.count(),
            "unclosed incidents": Incident.objects.exclude(
                status__in=["closed", "diverted"]
            ).count(),
            "deadlines": Deadline.objects.count(),
            "open deadlines": Deadline.objects.filter(status="open").count(),
            "trips": Trip.objects.count(),
            "reminders": Reminder.objects.count(),
            "parties": Party.objects.count(),
            "inventories": Inventory.objects.count(),
            "retrospectives": Retrospective.objects.count(),
            "corrective actions": CorrectiveAction.objects.count(),
            "conduct records": ConductRecord.objects.count(),
            "outcomes": Outcome.objects.count(),
            "daily reports": DailyIncidentReport.objects.count(),
            "uncleared daily reports": DailyIncidentReport.objects.filter(
                Q(cleared_at__isnull=True)
            ).count(),
        }

    # Measurement -----------------------------------------------------------------------------

    def _measure(self, now: datetime, gate_of: dict[str, str], repeat: int) -> dict[str, Any]:
        stations = list(Station.objects.filter(is_active=True).order_by("code"))
        ids, one = [s.pk for s in stations], stations[:1]
        moments = _moments(now)
        runs: dict[str, Callable[[], Any]] = {
            "dashboard": lambda: dashboard(stations=stations, now=now),
            "baseline": lambda: baseline(ids, moments, gate_of),
            "dashboard_one": lambda: dashboard(stations=one, now=now),
            "baseline_one": lambda: baseline(ids[:1], moments, gate_of),
        }
        # Warm-up, and the honesty check: every station's every number, both ways.
        last = {name: run() for name, run in runs.items()}
        for ours_key, theirs_key in (("dashboard", "baseline"), ("dashboard_one", "baseline_one")):
            theirs = last[theirs_key]
            for f in last[ours_key]:
                diff = _differences(_comparable(f.as_dict()), theirs[f.station.pk])
                if diff:
                    raise CommandError(
                        f"dashboard and baseline disagree for {f.station.code}: " + "; ".join(diff)
                    )
        queries = {}
        for key, chosen in (("all_stations", stations), ("one_station", one)):
            with CaptureQueriesContext(connection) as captured:
                dashboard(stations=chosen, now=now)
            queries[key] = len(captured.captured_queries)
        # Alternate the four, so drift in the machine's load hits each alike.
        seconds: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(repeat):
            for name, run in runs.items():
                clock = time.perf_counter()
                run()
                seconds[name].append(time.perf_counter() - clock)
        median = {k: statistics.median(v) for k, v in seconds.items()}
        p95 = {k: _p95(v) for k, v in seconds.items()}
        n, code = len(stations), one[0].code
        figures = [
            Figure(f"dashboard, {n} stations, median of {repeat}", median["dashboard"],
                   "hand-written GROUP BY", median["baseline"], f"≤ {MAX_RATIO:g}×",
                   median["dashboard"] <= MAX_RATIO * median["baseline"]),
            Figure(f"dashboard, one station ({code}), median", median["dashboard_one"],
                   "hand-written GROUP BY", median["baseline_one"], f"≤ {MAX_RATIO:g}×",
                   median["dashboard_one"] <= MAX_RATIO * median["baseline_one"]),
            Figure(f"dashboard, {n} stations, p95 of {repeat}", p95["dashboard"],
                   "hand-written GROUP BY", p95["baseline"]),
            Figure(f"dashboard, one station ({code}), p95", p95["dashboard_one"],
                   "hand-written GROUP BY", p95["baseline_one"]),
        ]  # fmt: skip
        return {
            "figures": figures,
            "queries": queries,
            "matched": {"stations": n, "all_stations": True, "one_station": True},
            "first_station": last["dashboard"][0].as_dict(),
            "seconds": {k: [round(s, 5) for s in v] for k, v in seconds.items()},
        }
