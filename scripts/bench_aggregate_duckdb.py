"""DuckDB reference for scripts/bench-aggregate.sh: Spur's default scoring rules in SQL.

Computes per lead the behavioural points awarded before decay (Spur's `lifetime`) from the same
.jsonl.gz segments and writes `lead<TAB>points` lines. What the SQL leaves out, on purpose
(documented in docs/performance.md):
  - decay: `lifetime` is the undecayed sum, so none is needed;
  - aggregate-time burst re-classification (BurstClassifier): the generator makes no bursts;
  - an event the daily cap cuts to zero does not use up its repeat key in Spur; here it does;
  - duplicate event ids (the generator writes none);
  - the 30-day repeat window is unrolled for histories up to 89 days.
Usage: python3 bench_aggregate_duckdb.py SEGMENT_GLOB AS_OF_MILLIS OUT_TSV
"""
import sys
import time

import duckdb

glob, as_of, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
DAY = 86_400_000

LOAD = f"""
CREATE TEMP TABLE ev AS
    SELECT * FROM read_json('{glob}', format = 'newline_delimited', compression = 'gzip',
        columns = {{id: 'VARCHAR', ts: 'BIGINT', type: 'VARCHAR', campaign: 'VARCHAR', lead: 'VARCHAR',
                   visitor: 'VARCHAR', url: 'VARCHAR', flags: 'VARCHAR[]', props: 'JSON'}})
    WHERE ts <= {as_of}
"""

SQL = f"""
WITH
-- Stitching: a visitor belongs to the lead of its newest identify link, without one of its newest
-- click link (ties: the later event id, longer first), as docs/scoring.md says.
links AS (
    SELECT visitor, lead FROM ev WHERE lead IS NOT NULL AND visitor IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY visitor ORDER BY (type = 'identify') DESC, ts DESC, length(id) DESC, id DESC) = 1
),
att AS (
    SELECT CASE WHEN e.lead IS NULL THEN l.lead ELSE e.lead END AS who, e.id, e.ts, e.type, e.campaign, e.url, e.flags, e.props,
           regexp_extract(e.url, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)', 1) AS path
    FROM ev e LEFT JOIN links l ON e.visitor = l.visitor
    WHERE e.lead IS NOT NULL OR l.lead IS NOT NULL
),
-- The first matching rule, its points and repeat policy (default-rules.yaml, in order).
matched AS (
    SELECT *, CASE
        WHEN type = 'form' AND json_extract_string(props, '$.form') = 'newsletter' THEN 'newsletter_signup'
        WHEN type = 'open' THEN 'newsletter_open'
        WHEN type = 'click' AND path LIKE '/malbedarf/%' THEN 'painting_supplies_click'
        WHEN type = 'click' THEN 'newsletter_click'
        WHEN type = 'download' THEN 'download'
        WHEN type = 'pageview' AND path LIKE '/produkte/%' THEN 'product_browsing'
        WHEN type = 'pageview' AND path LIKE '/filialen%' THEN 'store_locator'
        WHEN type = 'pageview' AND path LIKE '/jobs/%' THEN 'job_ads'
      END AS rule,
      CASE WHEN list_has_any(coalesce(flags, []), ['bot', 'scanner_suspect', 'honeypot']) THEN 0.0
           WHEN list_contains(coalesce(flags, []), 'proxy_open') THEN 0.5 ELSE 1.0 END AS weight
    FROM att
),
scored AS (
    SELECT *,
      CASE rule WHEN 'newsletter_signup' THEN 3 WHEN 'newsletter_open' THEN 5 WHEN 'painting_supplies_click' THEN 5
                WHEN 'newsletter_click' THEN 2 WHEN 'download' THEN 5 WHEN 'product_browsing' THEN 5
                WHEN 'store_locator' THEN 20 WHEN 'job_ads' THEN -10 END AS points,
      CASE rule WHEN 'newsletter_signup' THEN ''
                WHEN 'newsletter_open' THEN coalesce(campaign, '')
                WHEN 'product_browsing' THEN (ts // {DAY})::VARCHAR
                WHEN 'store_locator' THEN NULL WHEN 'job_ads' THEN NULL
                ELSE coalesce(campaign, '') || chr(0) || coalesce(url, '') END AS repeat_key
    FROM matched WHERE rule IS NOT NULL AND weight > 0
),
keyed AS (
    SELECT who, ts, points * weight AS p FROM scored WHERE repeat_key IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY who, rule, repeat_key ORDER BY ts, id) = 1
),
windowed AS (SELECT who, rule, ts, points * weight AS p FROM scored WHERE repeat_key IS NULL),
w1 AS (SELECT who, rule, arg_min(p, ts) AS p, min(ts) AS ts FROM windowed GROUP BY ALL),
w2 AS (SELECT w.who, w.rule, arg_min(w.p, w.ts) AS p, min(w.ts) AS ts FROM windowed w, w1
       WHERE w.who = w1.who AND w.rule = w1.rule AND w.ts >= w1.ts + {30 * DAY} GROUP BY w.who, w.rule),
w3 AS (SELECT w.who, w.rule, arg_min(w.p, w.ts) AS p, min(w.ts) AS ts FROM windowed w, w2
       WHERE w.who = w2.who AND w.rule = w2.rule AND w.ts >= w2.ts + {30 * DAY} GROUP BY w.who, w.rule),
awards AS (
    SELECT who, ts, p FROM keyed
    UNION ALL SELECT who, ts, p FROM w1 UNION ALL SELECT who, ts, p FROM w2 UNION ALL SELECT who, ts, p FROM w3
),
-- The daily cap takes positive points up to 60 per lead and UTC day; negative points pass.
days AS (
    SELECT who, least(coalesce(sum(p) FILTER (WHERE p > 0), 0), 60) AS plus, sum(p) FILTER (WHERE p < 0) AS minus
    FROM awards GROUP BY who, ts // {DAY}
)
SELECT who, sum(coalesce(plus, 0) + coalesce(minus, 0)) AS lifetime FROM days GROUP BY who
"""

start = time.monotonic()
db = duckdb.connect()
db.execute(LOAD)  # parse the segments once; the query reads the table several times
rows = db.execute(SQL).fetchall()
elapsed = time.monotonic() - start
with open(out, "w") as f:
    for who, lifetime in rows:
        f.write(f"{who}\t{lifetime}\n")
print(f"{elapsed:.3f}")
