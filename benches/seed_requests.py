#!/usr/bin/env python3
"""Adds N requests (default 1,000,000) to the demo organisation of a rightsdesk SQLite file:
about 1 % open (spread over overdue, due soon, paused, extended), the rest closed. Each
kind gets details of its own shape: the service reads them back by kind and answers 500,
naming the request, for a row that does not fit."""
import sqlite3
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
db = sqlite3.connect(path, isolation_level=None)
org_id, = db.execute("SELECT id FROM organisations WHERE slug = 'turvakoti-satama'").fetchone()
db.execute("PRAGMA synchronous=OFF")
db.execute("BEGIN")
db.execute(
    """
    WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
    INSERT INTO requests (id, org_id, reference, kind, state, is_open, language, channel,
        received_at, received_on, target_on, due_on, extended, paused_days, pause_counts,
        details, outcome, closed_on, review_reasons, created_at, updated_at)
    SELECT
        'bench-' || i, ?, 'BENCH-' || i,
        CASE i % 7 WHEN 0 THEN 'access' WHEN 1 THEN 'rectification' WHEN 2 THEN 'erasure'
            WHEN 3 THEN 'portability' WHEN 4 THEN 'restriction' WHEN 5 THEN 'objection' ELSE 'log_inspection' END,
        CASE WHEN i % 100 = 0 THEN (CASE WHEN i % 700 = 0 THEN 'awaiting_requester' ELSE 'in_progress' END)
             ELSE 'completed' END,
        CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END,
        'fi', 'web',
        date('2026-11-22', '-' || (i % 1500) || ' days') || ' 10:00:00',
        date('2026-11-22', '-' || (i % 1500) || ' days'),
        date('2026-11-22', '-' || (i % 1500) || ' days', '+1 month'),
        date('2026-11-22', '-' || (i % 1500) || ' days', '+1 month'),
        CASE WHEN i % 500 = 0 THEN 1 ELSE 0 END, 0,
        CASE WHEN i % 700 = 0 THEN 1 ELSE 0 END,
        CASE i % 7 WHEN 0 THEN '{"scope":"whole_record","form":"paper"}'
            WHEN 1 THEN '{"items":[{"what_is_wrong":"Osoite","should_say":"Kotikatu 1"}]}'
            WHEN 2 THEN '{"what":"Vanhat merkinnät","why":"Tarpeettomia"}'
            WHEN 3 THEN '{"format":"json"}'
            WHEN 4 THEN '{"grounds":"Tiedot ovat virheellisiä"}'
            WHEN 5 THEN '{"grounds":"Erityinen tilanne"}'
            ELSE '{"period_from":"2025-01-01","period_to":"2025-12-31"}' END,
        CASE WHEN i % 100 = 0 THEN NULL ELSE 'fulfilled' END,
        CASE WHEN i % 100 = 0 THEN NULL ELSE date('2026-11-22', '-' || (i % 1500) || ' days', '+20 days') END,
        '[]', '2026-11-22 10:00:00', '2026-11-22 10:00:00'
    FROM seq
    """,
    (n, org_id),
)
db.execute(
    """INSERT INTO request_subjects (request_id, name, birth_date, temporary_id, address_protected, contact_channel)
       SELECT id, 'Henkilö ' || substr(id, 7), '1980-01-01', 0, 0, 'pick_up' FROM requests WHERE id LIKE 'bench-%'"""
)
# The desk's search index, as the service writes it (names folded; no identity codes here).
db.execute(
    """INSERT INTO request_search (request_id, org_id, name_folded, personal_id_key)
       SELECT id, org_id, 'henkilo ' || substr(id, 7), NULL FROM requests WHERE id LIKE 'bench-%'"""
)
db.execute("COMMIT")
db.execute("ANALYZE")
total, open_ = db.execute("SELECT count(*), sum(is_open) FROM requests").fetchone()
print(f"requests in the database: {total} ({open_} open)")
