"""The city around its cases, in SQL (see sql.py): incidents, trips and reminders,
retrospectives and their actions, conduct records, outcomes and daily reports, then the
sequences set past the explicit ids and the case plan dropped."""

from __future__ import annotations

# Incidents, trips, retrospectives, conduct, outcomes and daily reports: what the leadership
# screen counts beside the cases.
AROUND: dict[str, str] = {
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
            SELECT i, 1 + floor(%(n_stations)s * power(pg_temp.u(i, 11), 1.3))::int AS idx,
                   %(now)s - pg_temp.u(i, 12) * interval '730 days' AS received_at,
                   pg_temp.u(i, 13) AS r_category, pg_temp.u(i, 14) AS r
            FROM generate_series(1, %(incidents)s) AS i
        ) a
    ) b
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
               %(now)s - interval '730 days' + pg_temp.u(i, 31) * interval '744 days'
               AS departs_at
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
                THEN CASE WHEN pg_temp.u(t.id * 8 + k, 32) < 0.995
                          THEN t.departs_at - interval '3 hours' END
                WHEN pg_temp.u(t.id * 8 + k, 33) < 0.6 THEN %(now)s - interval '1 hour' END
    FROM trips_trip t CROSS JOIN generate_series(1, 6) AS k
    WHERE t.station_id = ANY(%(stations)s::bigint[])
    ORDER BY t.id, k
    """,
    # One case in twenty has its retrospective: in progress for two months, then closed.
    "retrospectives": """
    INSERT INTO reviews_retrospective (station_id, case_id, trigger, status, opened_at,
        closed_at)
    SELECT station_id, %(case_base)s + i, 'major_case', state, opened_at,
           CASE WHEN state = 'closed' THEN least(%(now)s, opened_at + interval '30 days') END
    FROM (
        SELECT *, CASE WHEN opened_at > %(now)s - interval '60 days' OR pg_temp.u(i, 71) < 0.02
                       THEN 'open' ELSE 'closed' END AS state
        FROM (SELECT *, least(%(now)s, coalesce(closed_at, created_at) + interval '1 day')
                        AS opened_at
              FROM scale_case WHERE mod(i, 20) = 0) c
    ) r
    """,
    "findings": """
    INSERT INTO reviews_finding (retrospective_id, category_id, description, cause,
        created_by_id, created_at)
    SELECT r.id, cat.ids[1 + mod(r.id, cardinality(cat.ids))::int], '文书瑕疵', '',
           (%(officers)s::int[])[1], r.opened_at
    FROM reviews_retrospective r,
         (SELECT array_agg(id ORDER BY id) AS ids FROM reviews_findingcategory) cat
    WHERE r.case_id > %(case_base)s
    ORDER BY r.id
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
                                'rejected', 'verified', 'verified'])
                         [1 + floor(pg_temp.u(f.id * 2 + k, 72) * 10)::int]
               END AS status
    ) s
    WHERE r.case_id > %(case_base)s
    ORDER BY f.id, k
    """,
    # Conduct records over two years: 60% carry 1–3 points; 5% voided by an upheld objection.
    "conduct records": """
    INSERT INTO conduct_conductrecord (station_id, officer_id, kind, points, category, reason,
        source, created_at, objection, objection_status, objection_note)
    SELECT (%(stations)s::bigint[])[idx],
           (%(officers)s::int[])[(idx - 1) * %(per_station)s + 1
                                 + floor(pg_temp.u(i, 81) * %(per_station)s)::int],
           CASE WHEN r < 0.6 THEN 'points' ELSE 'reminder' END,
           CASE WHEN r < 0.6 THEN 1 + floor(pg_temp.u(i, 82) * 3)::int ELSE 0 END,
           '文书瑕疵', '复盘问题', 'bench:' || i,
           %(now)s - pg_temp.u(i, 83) * interval '730 days', '',
           CASE WHEN r2 < 0.05 THEN 'upheld' WHEN r2 < 0.08 THEN 'pending' ELSE '' END, ''
    FROM (
        SELECT i, 1 + floor(%(n_stations)s * pg_temp.u(i, 84))::int AS idx,
               pg_temp.u(i, 85) AS r, pg_temp.u(i, 86) AS r2
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
          FROM scale_case WHERE kind = 'administrative' AND mod(i, 97) = 0) c
    """,
    "outcomes": """
    INSERT INTO reviews_outcome (case_id, kind, filed_on, body, event_id, result,
        created_by_id, created_at)
    SELECT case_id,
           CASE WHEN kind = 'complaint_received' THEN 'litigation' ELSE 'reconsideration' END,
           (occurred_at AT TIME ZONE %(tz)s)::date, '区人民政府', id,
           CASE WHEN mod(id, 3) = 0 THEN 'upheld' ELSE '' END, created_by_id, created_at
    FROM cases_caseevent WHERE note = 'bench:outcome' AND case_id > %(case_base)s
    ORDER BY id
    """,
    # A daily report per station and day for two years: today's not due yet, the last two
    # days 40% cleared, older ones cleared but a few.
    "daily reports": """
    INSERT INTO cases_dailyincidentreport (station_id, day, created_at, cleared_at)
    SELECT s.id, %(today)s - d, made_at,
           CASE WHEN d = 0 THEN NULL
                WHEN d < 3 THEN CASE WHEN pg_temp.u(s.id * 1000 + d, 91) < 0.4
                                     THEN least(%(now)s, made_at + interval '10 hours') END
                WHEN pg_temp.u(s.id * 1000 + d, 91) < 0.995 THEN made_at + interval '1 day' END
    FROM unnest(%(stations)s::bigint[]) AS s(id)
    CROSS JOIN generate_series(0, 729) AS d
    CROSS JOIN LATERAL (
        SELECT ((%(today)s - d)::timestamp + interval '6 hours') AT TIME ZONE %(tz)s AS made_at
    ) m
    ORDER BY s.id, d
    """,
    "identity sequences": """
    SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case)),
           setval(pg_get_serial_sequence('viewflow_process', 'id'),
                  (SELECT max(id) FROM viewflow_process))
    """,
    "drop plan": "DROP TABLE scale_case",
}
