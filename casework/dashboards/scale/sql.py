"""The city in SQL: one `INSERT … SELECT generate_series` a table, in dependency order.

Deterministic: every choice is `pg_temp.u(key, salt)`, a uniform number in [0, 1) hashed from
a row's own number (`generate_series` i, or the id of the row it belongs to), never random();
times are offsets from the run's `now`. So the same scale and `now` give the same rows, whatever
order the planner reads them in.
"""

from __future__ import annotations

from casework.dashboards.scale.sql_around import AROUND

# hashint8extended (PostgreSQL ≥ 11) mixes all 64 bits; keep 52 of them for a float8 in [0, 1).
UNIFORM = """
CREATE OR REPLACE FUNCTION pg_temp.u(key bigint, salt bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(key, salt) & 4503599627370495)::float8 / 4503599627370496.0 $$
"""

# Cases are planned once in a temporary table (station, kind, dates, status), so the case rows,
# their processes, tasks, clocks, parties, retrospectives and outcomes agree with each other.
# A case closes 0.5–60 days after it is opened (3% never do); an open one waits at a step.
# Case i's station is 1 + floor(n_stations · u(i, 1)^1.3) (the first stations are the busiest),
# its responsible officer the station's 民警 number i mod 32: audit_rows.py relies on both.
CASES: dict[str, str] = {
    "plan cases": """
    CREATE TEMP TABLE scale_case AS
    WITH raw AS (
        SELECT i, 1 + floor(%(n_stations)s * power(pg_temp.u(i, 1), 1.3))::int AS idx,
               CASE WHEN pg_temp.u(i, 2) < 0.4 THEN 'criminal' ELSE 'administrative' END AS kind,
               %(now)s - pg_temp.u(i, 3) * interval '730 days' AS created_at,
               pg_temp.u(i, 4) AS r_close, pg_temp.u(i, 5) AS r_open, pg_temp.u(i, 6) AS r_status,
               pg_temp.u(i, 7) AS r_task
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
    SELECT %(case_base)s + i, 'SC' || lpad(i::text, 8, '0'), kind, '基准案件' || i, %(summary)s,
           created_at - interval '2 hours', mod(i, 50) = 0, mod(i, 30) = 0, status,
           CASE WHEN closed_at IS NULL THEN '' ELSE '拟予以处罚' END, '', 1, created_at, closed_at,
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1
                                 + mod(i, %(per_station)s)],
           station_id
    FROM scale_case
    """,
    # The responsible officer (who opened it) and one assisting colleague of the same station.
    "case handlers": """
    INSERT INTO cases_casehandler (case_id, user_id, role)
    SELECT %(case_base)s + i,
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1 + mod(i, %(per_station)s)],
           'responsible'
    FROM scale_case
    UNION ALL
    SELECT %(case_base)s + i,
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1 + mod(i + 7, %(per_station)s)],
           'assisting'
    FROM scale_case
    ORDER BY 1, 3 DESC
    """,
    # The exceptions guardian holds (STYLE.md): one case in 200 lent to an officer of the next
    # station, who sees it beside their own station's cases.
    "case grants": """
    INSERT INTO cases_caseuserobjectpermission (content_object_id, permission_id, user_id)
    SELECT %(case_base)s + i, %(view_case)s,
           (%(officers)s::int[])[mod(idx, %(n_stations)s) * %(per_station)s + 1
                                 + mod(i, %(per_station)s)]
    FROM scale_case WHERE mod(i, 200) = 0
    """,
    "viewflow processes": """
    INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
    SELECT %(process_base)s + i, %(flow_class)s,
           CASE WHEN status = 'evaluated' THEN %(process_done)s ELSE %(process_new)s END,
           created_at,
           CASE WHEN status = 'evaluated' THEN least(%(now)s, closed_at + interval '3 days') END,
           '{}'::jsonb
    FROM scale_case
    """,
    "case processes": """
    INSERT INTO workflow_caseprocess (process_ptr_id, route, case_id)
    SELECT %(process_base)s + i, CASE WHEN status = 'evaluated' THEN 'approve' ELSE '' END,
           %(case_base)s + i
    FROM scale_case
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
        FROM scale_case
    ) c
    JOIN unnest(%(node_refs)s::text[], %(node_steps)s::int[], %(node_types)s::text[])
         AS n(flow_task, step, type)
      ON n.step <= c.step AND (n.step <> 3 OR c.step = 3)
    ORDER BY c.i, n.step
    """,
    # Two clocks a case: met once it closed; running otherwise, due from a day ago to a month
    # ahead (a few overdue, a few due today).
    "deadlines": """
    INSERT INTO deadlines_deadline (case_id, rule_id, trigger, link, title, text, legal_basis,
        started_at, due_at, status, met_at, met_note)
    SELECT %(case_base)s + c.i, NULL, 'bench:' || k, '', '法定时限', '', '[]'::jsonb,
           c.created_at,
           CASE WHEN c.closed_at IS NULL
                THEN %(now)s + (pg_temp.u(c.i * 2 + k, 21) * 30 - 1) * interval '1 day'
                ELSE c.created_at + k * interval '7 days' END,
           CASE WHEN c.closed_at IS NULL THEN 'open' ELSE 'met' END,
           CASE WHEN c.closed_at IS NOT NULL
                THEN least(c.closed_at, c.created_at + k * interval '3 days') END,
           ''
    FROM scale_case c CROSS JOIN generate_series(1, 2) AS k
    ORDER BY c.i, k
    """,
    # A suspect in one case of three, a victim in one of four.
    "parties": """
    INSERT INTO cases_party (case_id, role, name, gender, id_number, is_minor, created_at)
    SELECT %(case_base)s + i, p.role, p.title || i,
           CASE WHEN pg_temp.u(i, p.salt) < 0.8 THEN 'M' ELSE 'F' END, '',
           pg_temp.u(i, p.salt + 1) < 0.02, created_at
    FROM scale_case
    JOIN (VALUES ('suspect', '嫌疑人', 3, 0, 51), ('victim', '被侵害人', 4, 1, 53))
         AS p(role, title, every, remainder, salt)
      ON mod(i, p.every) = p.remainder
    ORDER BY i, p.every
    """,
    # One coercive measure a suspect, from an hour after the case opened: criminal detention
    # for three days, or a summons of eight hours; still running if that is not over yet.
    "measures": """
    INSERT INTO cases_measure (case_id, party_id, kind, started_at, ended_at, created_by_id,
        created_at)
    SELECT p.case_id, p.id, m.kind, m.started_at,
           CASE WHEN m.started_at + m.lasts <= %(now)s THEN m.started_at + m.lasts END,
           c.created_by_id, m.started_at
    FROM cases_party p
    JOIN cases_case c ON c.id = p.case_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.kind = 'criminal' THEN 'criminal_detention' ELSE 'summons' END AS kind,
               c.created_at + interval '1 hour' AS started_at,
               CASE WHEN c.kind = 'criminal' THEN interval '3 days' ELSE interval '8 hours' END
               AS lasts
    ) m
    WHERE p.role = 'suspect' AND p.case_id > %(case_base)s
    ORDER BY p.id
    """,
}

# An inventory per suspect: open (draft or signed) while the case runs, closed after it
# (0.3% forgotten, still signed); two to five items each, disposed of once it closed. As in
# the product, each is written as a draft with its items, then signed in one UPDATE that stores
# its digest (the database refuses any change to a signed inventory).
INVENTORY: dict[str, str] = {
    "inventories": """
    INSERT INTO inventory_inventory (station_id, case_id, party_id, revision, correction_reason,
        taken_at, place, status, created_by_id, created_at, signed_at, witness_name,
        suspect_signature, refusal_reason, sha256, closed_at, pdf, pdf_error, signed_by_id)
    SELECT c.station_id, p.case_id, p.id, 1, '', c.created_at, '办案区', 'draft',
           o.officer, c.created_at,
           CASE WHEN s.status <> 'draft' THEN c.created_at + interval '1 hour' END, '',
           CASE WHEN s.status <> 'draft' THEN 'signed' ELSE '' END, '', '',
           CASE WHEN s.status = 'closed' THEN coalesce(c.closed_at, %(now)s) END, '', '',
           CASE WHEN s.status <> 'draft' THEN o.officer END
    FROM cases_party p
    JOIN scale_case c ON c.i = p.case_id - %(case_base)s
    CROSS JOIN LATERAL (
        SELECT (%(officers)s::int[])[(c.idx - 1) * %(per_station)s + 1
                                     + mod(c.i, %(per_station)s)] AS officer
    ) o
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.closed_at IS NOT NULL THEN
                    CASE WHEN pg_temp.u(p.id, 61) < 0.003 THEN 'signed' ELSE 'closed' END
                    WHEN pg_temp.u(p.id, 62) < 0.3 THEN 'draft'
                    WHEN pg_temp.u(p.id, 62) < 0.7 THEN 'signed'
                    ELSE 'closed' END AS status
    ) s
    WHERE p.role = 'suspect'
    ORDER BY p.id
    """,
    "inventory items": """
    INSERT INTO inventory_propertyitem (inventory_id, line, category, name, quantity, unit, size,
        marks, condition, description, is_empty, denominations, disposition, disposed_at,
        disposed_by_id, receiver, receiver_relation, locker, disposal_note)
    SELECT v.id, n, s.category, s.name, s.quantity, s.unit, '', s.marks, '', '', false,
           s.denominations::jsonb,
           CASE WHEN v.closed_at IS NOT NULL THEN s.disposition ELSE '' END,
           v.closed_at,
           CASE WHEN v.closed_at IS NOT NULL THEN v.created_by_id END,
           CASE WHEN v.closed_at IS NOT NULL AND s.disposition = 'family' THEN '家属' ELSE '' END,
           '', CASE WHEN v.closed_at IS NOT NULL AND s.disposition = 'custody' THEN 'A-01'
                    ELSE '' END,
           ''
    FROM inventory_inventory v
    CROSS JOIN generate_series(1, 2 + mod(v.id, 4)::int) AS n
    JOIN (VALUES
        (0, 'phone', '手机', 1, '部', '黑色,IMEI 356789104512345', '{}', 'returned'),
        (1, 'wallet', '钱包', 1, '个', '棕色皮质', '{}', 'returned'),
        (2, 'cash', '人民币现金', 351, '元', '', '{"100": 3, "50": 1, "0.5": 2}', 'custody'),
        (3, 'keys', '钥匙', 3, '把', '带红色钥匙扣', '{}', 'family'),
        (4, 'clothing', '腰带', 1, '条', '黑色', '{}', 'returned')
    ) AS s(k, category, name, quantity, unit, marks, denominations, disposition)
      ON s.k = mod(v.id + n, 5)
    WHERE v.case_id > %(case_base)s
    ORDER BY v.id, n
    """,
    # What signing stores: the SHA-256 of `inventory_content()` as `inventory_digest()`
    # serialises it (json.dumps, sort_keys, no spaces, UTF-8 kept), so the seeded forms verify
    # and print as signed ones do (seed.py checks a sample against the Python).
    "inventory digests": """
    UPDATE inventory_inventory v
    SET sha256 = encode(sha256(convert_to(d.canonical, 'UTF8')), 'hex'),
        status = CASE WHEN v.closed_at IS NOT NULL THEN 'closed' ELSE 'signed' END
    FROM (
        SELECT v.id,
               '{"case":' || to_json(c.number)::text
               || ',"inventory":' || v.id
               || ',"items":[' || coalesce(i.items, '') || ']'
               || ',"party":{"id":' || p.id || ',"name":' || to_json(p.name)::text || '}'
               || ',"place":' || to_json(v.place)::text
               || ',"refusal_reason":' || to_json(v.refusal_reason)::text
               || ',"revision":' || v.revision
               || ',"second_officer":' || to_json(coalesce(so.username, ''))::text
               || ',"signed_by":' || to_json(coalesce(sb.username, ''))::text
               || ',"supersedes":' || coalesce(v.supersedes_id::text, 'null')
               || ',"suspect_signature":' || to_json(v.suspect_signature)::text
               || ',"taken_at":"' || to_char(v.taken_at AT TIME ZONE %(tz)s,
                                            'YYYY-MM-DD"T"HH24:MI:SS')
               || CASE WHEN z.off < 0 THEN '-' ELSE '+' END
               || lpad((abs(z.off) / 3600)::text, 2, '0') || ':'
               || lpad((mod(abs(z.off), 3600) / 60)::text, 2, '0') || '"'
               || ',"witness":' || to_json(v.witness_name)::text || '}' AS canonical
        FROM inventory_inventory v
        JOIN cases_case c ON c.id = v.case_id
        JOIN cases_party p ON p.id = v.party_id
        LEFT JOIN auth_user sb ON sb.id = v.signed_by_id
        LEFT JOIN auth_user so ON so.id = v.second_officer_id
        CROSS JOIN LATERAL (
            SELECT extract(epoch FROM (v.taken_at AT TIME ZONE %(tz)s)
                                      - (v.taken_at AT TIME ZONE 'UTC'))::int AS off
        ) z
        LEFT JOIN LATERAL (
            SELECT string_agg(
                '{"category":' || to_json(it.category)::text
                || ',"condition":' || to_json(it.condition)::text
                || ',"denominations":{' || coalesce(
                    (SELECT string_agg(to_json(e.key)::text || ':' || e.value::text, ','
                                       ORDER BY e.key COLLATE "C")
                     FROM jsonb_each(it.denominations) e), '') || '}'
                || ',"description":' || to_json(it.description)::text
                || ',"is_empty":' || CASE WHEN it.is_empty THEN 'true' ELSE 'false' END
                || ',"line":' || it.line
                || ',"marks":' || to_json(it.marks)::text
                || ',"name":' || to_json(it.name)::text
                || ',"photos":[' || coalesce(
                    (SELECT string_agg(to_json(ph.sha256)::text, ',' ORDER BY ph.sha256)
                     FROM inventory_itemphoto ph WHERE ph.item_id = it.id), '') || ']'
                || ',"quantity":' || to_json(trim_scale(it.quantity)::text)::text
                || ',"size":' || to_json(it.size)::text
                || ',"unit":' || to_json(it.unit)::text || '}',
                ',' ORDER BY it.line, it.id) AS items
            FROM inventory_propertyitem it
            WHERE it.inventory_id = v.id AND it.removed_at IS NULL
        ) i ON true
        WHERE v.signed_at IS NOT NULL AND v.case_id > %(case_base)s
    ) d
    WHERE v.id = d.id
    """,
}

POPULATE: dict[str, str] = CASES | INVENTORY | AROUND

# What autovacuum would have done to tables this size before anyone looked at a screen.
VACUUMED = [
    "cases_case", "cases_casehandler", "cases_caseuserobjectpermission", "viewflow_process",
    "workflow_caseprocess", "viewflow_task", "cases_incident", "deadlines_deadline",
    "trips_trip", "trips_reminder", "cases_party", "cases_measure", "inventory_inventory",
    "inventory_propertyitem", "reviews_retrospective", "reviews_finding",
    "reviews_correctiveaction", "conduct_conductrecord", "cases_caseevent", "reviews_outcome",
    "cases_dailyincidentreport", "org_station", "org_profile", "auth_user", "auth_user_groups",
    "core_auditevent",
]  # fmt: skip
