"""The four metrics as one DuckDB SQL query over canonical CSV files: an independent second implementation.

The benchmark times it against ours, and a test checks both agree on a small data
set. It reads files that carry a `team` column and already-canonical values
(`;`-separated change ids, times with an offset; empty status and environment
mean the defaults). DuckDB is an optional dependency (the `bench` and `test` extras).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessment.dora.formats import PRODUCTION_ENVIRONMENTS, SUCCESS_STATUSES
from assessment.dora.metrics.window import Window

_LIST = "({})"

QUERY = """
WITH raw_d AS (
  SELECT team, id, service, epoch(deployed_at::TIMESTAMPTZ)::BIGINT AS ts, NULLIF(change_ids, '') AS change_ids,
         epoch(NULLIF(first_commit_at, '')::TIMESTAMPTZ)::BIGINT AS first_commit
  FROM read_csv($deployments, all_varchar = true)
  WHERE lower(coalesce(NULLIF(status, ''), 'success')) IN {success}
    AND lower(coalesce(NULLIF(environment, ''), 'production')) IN {production}),
d AS (SELECT * FROM raw_d WHERE ts >= $since - $lookback AND ts < $until),
dw AS (SELECT * FROM d WHERE ts >= $since),
c AS (SELECT team, id, epoch(committed_at::TIMESTAMPTZ)::BIGINT AS ts FROM read_csv($changes, all_varchar = true)),
i AS (
  SELECT team, id, service, epoch(started_at::TIMESTAMPTZ)::BIGINT AS s,
         epoch(NULLIF(resolved_at, '')::TIMESTAMPTZ)::BIGINT AS r,
         NULLIF(deployment_id, '') AS dep, NULLIF(change_id, '') AS chg
  FROM read_csv($incidents, all_varchar = true)),
iw AS (SELECT * FROM i WHERE s >= $since AND s < $until),
pairs AS (SELECT team, unnest(string_split(change_ids, ';')) AS cid, id AS dep, ts FROM dw
          WHERE change_ids IS NOT NULL),
firsts AS (SELECT team, cid, arg_min(dep, (ts, dep)) AS dep, min(ts) AS ts FROM pairs GROUP BY team, cid),
lead AS (
  SELECT f.team, (f.ts - c.ts) / 3600.0 AS h FROM firsts f JOIN c ON c.team = f.team AND c.id = f.cid
  WHERE f.ts >= c.ts
  UNION ALL
  SELECT team, (ts - first_commit) / 3600.0 FROM dw WHERE change_ids IS NULL AND first_commit IS NOT NULL),
by_id AS (
  SELECT iw.*, coalesce(known.id, f.dep) AS linked FROM iw
  LEFT JOIN d known ON known.team = iw.team AND known.id = iw.dep
  LEFT JOIN firsts f ON f.team = iw.team AND f.cid = iw.chg),
attributed AS (
  SELECT b.team, coalesce(b.linked, CASE WHEN b.s - a.ts <= $lookback THEN a.id END) AS linked
  FROM by_id b ASOF LEFT JOIN d a ON a.team = b.team AND a.service = b.service AND b.s >= a.ts),
failed AS (
  SELECT x.team, count(DISTINCT x.linked) AS failed FROM attributed x
  JOIN dw ON dw.team = x.team AND dw.id = x.linked GROUP BY x.team),
freq AS (SELECT team, count(*) AS n, count(DISTINCT floor(ts / 86400)) AS days FROM dw GROUP BY team),
lq AS (SELECT team, quantile_cont(h, 0.5) AS m, quantile_cont(h, 0.9) AS p FROM lead GROUP BY team),
rq AS (SELECT team, quantile_cont((r - s) / 3600.0, 0.5) AS m, quantile_cont((r - s) / 3600.0, 0.9) AS p
       FROM iw WHERE r IS NOT NULL GROUP BY team)
SELECT freq.team, freq.n, freq.days, lq.m, lq.p, coalesce(failed.failed, 0), rq.m, rq.p
FROM freq LEFT JOIN lq USING (team) LEFT JOIN failed USING (team) LEFT JOIN rq USING (team)
ORDER BY freq.team
"""


@dataclass(frozen=True)
class ReferenceRow:
    team: str
    deployments: int
    days_with_deployments: int
    lead_time_hours_median: float | None
    lead_time_hours_p90: float | None
    failed_deployments: int
    recovery_hours_median: float | None
    recovery_hours_p90: float | None

    @property
    def change_failure_rate_pct(self) -> float | None:
        return 100.0 * self.failed_deployments / self.deployments if self.deployments else None


def _quoted(values: frozenset[str]) -> str:
    return _LIST.format(", ".join(f"'{v}'" for v in sorted(values)))


def reference_metrics(
    *,
    deployments: str,
    changes: str,
    incidents: str,
    window: Window,
    lookback_hours: float,
    threads: int | None = None,
) -> dict[str, ReferenceRow]:
    """Per team name, the metrics computed by DuckDB straight from the CSV files."""
    import duckdb  # optional dependency: only the benchmark and the tests need it

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    params: dict[str, Any] = {
        "deployments": deployments,
        "changes": changes,
        "incidents": incidents,
        "since": window.since_s,
        "until": window.until_s,
        "lookback": int(lookback_hours * 3600),
    }
    sql = QUERY.format(success=_quoted(SUCCESS_STATUSES), production=_quoted(PRODUCTION_ENVIRONMENTS))
    rows = con.execute(sql, params).fetchall()
    con.close()
    return {
        row[0]: ReferenceRow(row[0], int(row[1]), int(row[2]), row[3], row[4], int(row[5]), row[6], row[7])
        for row in rows
    }
