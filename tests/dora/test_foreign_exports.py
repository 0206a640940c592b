"""Exports nobody on the project wrote, through the documented commands with the README's defaults.

Why (issue 14): with foreign column names, mixed UTC offsets, failed and staging rows, an
unresolved incident, a commits file without a team column and space-separated commit
lists, the one-command import with default settings got 6 of 18 figures wrong and put a
team in the wrong cluster; re-importing incidents with a narrower mapping emptied stored
resolution times and deployment links. Here every figure is worked out by hand below and
asserted, after the first import and again after the narrower re-import.

The commands: `foundations dora import --org Acme --create-org --create-teams --mapping
mapping.json --deployments ... --changes ... --incidents ...` (no --team: the files name
their teams, and the commits file names none), then `foundations dora import --org Acme
--mapping narrow.json --incidents ...` (a mapping without `Resolved On` and `Caused By
Deploy`), and `foundations dora metrics --org Acme --team T --json`. Defaults throughout:
the window is the 90 days up to and including the day (UTC) of the team's latest
deployment or incident (of any status or environment), the look-back 24 h, the separator of
the commit lists detected from the cells.

Payments (all times UTC after their offsets):
  deployments: pay-101 10 Apr 10:00 (12:00+02:00) ships p1 and p2 (space-separated);
    pay-102 20 May 14:00 (09:00-05:00) ships p3; pay-103 (failed) and pay-104 (staging)
    are not counted.
  latest event: INC-2 started 25 May 08:00, so the window is [26 Feb, 26 May) (2024 is a
    leap year: 29 + 31 + 30 = 90 days).
  deployment frequency: 2 deployments / 90 days = 0.0222 a day, x 7 = 0.1556 a week; band
    low (one a month is 0.0333 a day, one in six months 0.0055).
  lead time: p1 committed 1 Mar 10:00 -> 10 Apr 10:00 = 40 days = 960 h; p2 6 Mar 10:00
    (12:00+02:00) -> 35 days = 840 h; p3 5 Apr 14:00 (09:00-05:00) -> 20 May 14:00 = 45 days
    = 1080 h. Sorted 840, 960, 1080: median 960 h; p90 at position 0.9 x 2 = 1.8:
    960 + 0.8 x 120 = 1056 h. Band low (720 h to 4368 h).
  change failure rate: INC-1 starts 20 May 16:00 (18:00+02:00), names no deployment, and
    pay-102 (same service) finished 2 h before: linked by attribution. INC-2 starts 25 May
    08:00, 5 days 18 h after pay-102: beyond the 24 h look-back, not linked. 1 of 2
    deployments failed: 50 %, band low (40 %).
  recovery: INC-1 20 May 16:00 -> 29 May 00:00 = 8 days 8 h = 200 h; INC-2 is unresolved.
    Median and p90 200 h, band low (168 h to 720 h).
  cluster (sum of squared distances; decades for time and frequency, 20-point steps for
    the rate): low = 0 + 0 + ((50 - 40) / 20)^2 + 0 = 0.25; medium has (50 - 10) / 20 = 2 for
    the rate alone (4), high 1.5 (2.25), elite 2.25 (5.06). Nearest: low.

Search:
  deployments: srch-1 3 Jun 10:00 ships s1 s2; srch-2 10 Jun 10:00 (12:00+02:00) s3;
    srch-3 17 Jun 10:00 (05:00-05:00) s4; srch-4 24 Jun 10:00 s5 s6; srch-5 1 Jul 10:00 s7;
    srch-6 8 Jul 10:00 s8; srch-7 (failed) and srch-8 (staging) on 9 Jul are not counted.
  latest event: srch-8, 9 Jul 11:00 (a staging deployment still marks the data's end), so
    the window is [11 Apr, 10 Jul).
  deployment frequency: 6 / 90 = 0.0667 a day, 0.4667 a week; band medium (1/30 to 1/7 a day).
  lead time: s1 25 May -> 3 Jun = 216 h; s2 27 May (12:00+02:00) -> 168 h; s3 1 Jun ->
    10 Jun = 216 h; s4 5 Jun (05:00-05:00) -> 17 Jun = 288 h; s5 14 Jun -> 24 Jun = 240 h;
    s6 16 Jun -> 192 h; s7 21 Jun -> 1 Jul = 240 h; s8 28 Jun -> 8 Jul = 240 h (all at
    10:00). Sorted 168, 192, 216, 216, 240, 240, 240, 288: median (216 + 240) / 2 = 228 h;
    p90 at 0.9 x 7 = 6.3: 240 + 0.3 x 48 = 254.4 h. Band medium (168 h to 720 h).
  change failure rate: INC-10 names srch-4 (Caused By Deploy): linked by id. INC-11 starts
    5 Jul 09:00 (04:00-05:00); the latest deployment before it, srch-5, is 95 h earlier:
    not linked. 1 of 6: 16.67 %, band high (20 % is nearer than medium's 10 %).
  recovery: INC-10 24 Jun 12:00 (14:00+02:00) -> 16:00 = 4 h; INC-11 09:00 -> 15:00 = 6 h.
    Median 5 h, p90 4 + 0.9 x 2 = 5.8 h; band high or medium (both under a day).
  cluster: medium = 0 + 0 + ((16.67 - 10) / 20)^2 + 0 = 0.1111; high = log10((1/7) / 0.0667)^2
    + log10(228 / 168)^2 + ((20 - 16.67) / 20)^2 + 0 = 0.1096 + 0.0176 + 0.0278 = 0.1549;
    low and elite are further (frequency and rate alone give low 0.09 + 1.36, elite 1.38).
    Nearest: medium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessment.core import db
from tests.support.cli import run_json, run_ok

DEPLOYS = """Team,Deploy ID,Application,Finished At,Outcome,Target Environment,Commit SHAs
Payments,pay-101,payments-api,2024-04-10 12:00:00+02:00,success,production,p1 p2
Payments,pay-102,payments-api,2024-05-20T09:00:00-05:00,success,production,p3
Payments,pay-103,payments-api,2024-05-01T10:00:00Z,failed,production,p4
Payments,pay-104,payments-api,2024-05-02T10:00:00Z,success,staging,p5
Search,srch-1,search-api,2024-06-03T10:00:00Z,success,production,s1 s2
Search,srch-2,search-api,2024-06-10 12:00:00+02:00,success,production,s3
Search,srch-3,search-api,2024-06-17T05:00:00-05:00,success,production,s4
Search,srch-4,search-api,2024-06-24T10:00:00Z,success,production,s5 s6
Search,srch-5,search-api,2024-07-01T10:00:00Z,success,production,s7
Search,srch-6,search-api,2024-07-08T10:00:00Z,success,production,s8
Search,srch-7,search-api,2024-07-09T10:00:00Z,failed,production,s9
Search,srch-8,search-api,2024-07-09T11:00:00Z,success,staging,s9
"""
COMMITS = """SHA,Authored Date
p1,2024-03-01T10:00:00Z
p2,2024-03-06 12:00:00+02:00
p3,2024-04-05T09:00:00-05:00
p4,2024-04-20T10:00:00Z
p5,2024-04-21T10:00:00Z
s1,2024-05-25T10:00:00Z
s2,2024-05-27 12:00:00+02:00
s3,2024-06-01T10:00:00Z
s4,2024-06-05T05:00:00-05:00
s5,2024-06-14T10:00:00Z
s6,2024-06-16T10:00:00Z
s7,2024-06-21T10:00:00Z
s8,2024-06-28T10:00:00Z
s9,2024-07-08T10:00:00Z
"""
INCIDENTS = """Team,Incident Number,Service Name,Created,Resolved On,Caused By Deploy
Payments,INC-1,payments-api,2024-05-20 18:00:00+02:00,2024-05-29T00:00:00Z,
Payments,INC-2,payments-api,2024-05-25T08:00:00Z,,
Search,INC-10,search-api,2024-06-24 14:00:00+02:00,2024-06-24T16:00:00Z,srch-4
Search,INC-11,search-api,2024-07-05T04:00:00-05:00,2024-07-05T15:00:00Z,
"""
INCIDENT_COLUMNS = {"team": "Team", "id": "Incident Number", "service": "Service Name", "started_at": "Created"}
MAPPING = {
    "foundations_dora_mapping": 1,
    "deployments": {
        "team": "Team",
        "id": "Deploy ID",
        "service": "Application",
        "deployed_at": "Finished At",
        "status": "Outcome",
        "environment": "Target Environment",
        "change_ids": "Commit SHAs",  # no separator named: the one the cells use is taken
    },
    "changes": {"id": "SHA", "committed_at": "Authored Date"},
    "incidents": {**INCIDENT_COLUMNS, "resolved_at": "Resolved On", "deployment_id": "Caused By Deploy"},
}
NARROW = {"foundations_dora_mapping": 1, "incidents": INCIDENT_COLUMNS}

EXPECTED: dict[str, dict[str, Any]] = {
    "Payments": {
        "window": ("2024-02-26T00:00:00+00:00", "2024-05-26T00:00:00+00:00"),
        "metrics": {
            "deployments": 2,
            "deployments_per_day": 2 / 90,
            "deployments_per_week": 2 / 90 * 7,
            "lead_time_hours_median": 960.0,
            "lead_time_hours_p90": 1056.0,
            "lead_time_samples": 3,
            "change_failure_rate_pct": 50.0,
            "failed_deployments": 1,
            "incidents": 2,
            "incidents_linked_by_id": 0,
            "incidents_linked_by_attribution": 1,
            "incidents_unlinked": 1,
            "recovery_hours_median": 200.0,
            "recovery_hours_p90": 200.0,
            "incidents_resolved": 1,
        },
        "bands": {
            "deployment_frequency": ["low"],
            "lead_time": ["low"],
            "change_failure_rate": ["low"],
            "recovery_time": ["low"],
        },
        "cluster": "low",
    },
    "Search": {
        "window": ("2024-04-11T00:00:00+00:00", "2024-07-10T00:00:00+00:00"),
        "metrics": {
            "deployments": 6,
            "deployments_per_day": 6 / 90,
            "deployments_per_week": 6 / 90 * 7,
            "lead_time_hours_median": 228.0,
            "lead_time_hours_p90": 254.4,
            "lead_time_samples": 8,
            "change_failure_rate_pct": 100 / 6,
            "failed_deployments": 1,
            "incidents": 2,
            "incidents_linked_by_id": 1,
            "incidents_linked_by_attribution": 0,
            "incidents_unlinked": 1,
            "recovery_hours_median": 5.0,
            "recovery_hours_p90": 5.8,
            "incidents_resolved": 2,
        },
        "bands": {
            "deployment_frequency": ["medium"],
            "lead_time": ["medium"],
            "change_failure_rate": ["high"],
            "recovery_time": ["high", "medium"],
        },
        "cluster": "medium",
    },
}


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def _figures(capsys: pytest.CaptureFixture[str], team: str) -> dict[str, Any]:
    data = run_json(capsys, "dora", "metrics", "--org", "Acme", "--team", team, "--json")
    return {
        "window": (data["window"]["since"], data["window"]["until"]),
        "metrics": {key: data["metrics"][key] for key in EXPECTED[team]["metrics"]},
        "bands": {figure["metric"]: figure["band"] for figure in data["figures"]},
        "cluster": data["cluster"],
        "lookback_hours": data["lookback_hours"],
    }


def _assert_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    for team, expected in EXPECTED.items():
        found = _figures(capsys, team)
        assert found["metrics"] == pytest.approx(expected["metrics"], rel=1e-9), team
        assert {k: v for k, v in found.items() if k != "metrics"} == {
            **{k: v for k, v in expected.items() if k != "metrics"},
            "lookback_hours": 24,
        }, team


def test_foreign_exports_give_the_figures_worked_out_by_hand(
    env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db.upgrade(db.get_engine())
    files = {
        "deployments": _write(tmp_path, "deploys.csv", DEPLOYS),
        "changes": _write(tmp_path, "commits.csv", COMMITS),
        "incidents": _write(tmp_path, "incidents.csv", INCIDENTS),
    }
    mapping = _write(tmp_path, "mapping.json", json.dumps(MAPPING))
    out = run_ok(
        capsys,
        *("dora", "import", "--org", "Acme", "--create-org", "--create-teams", "--mapping", mapping),
        *("--deployments", files["deployments"], "--changes", files["changes"], "--incidents", files["incidents"]),
    )
    assert f"{files['changes']}: 14 changes without a team matched to 2 team(s) by the deployments" in out
    assert (
        out.splitlines()[-1]
        == "imported 12 deployments, 14 changes, 4 incidents; created the teams 'Payments', 'Search'"
    )
    _assert_every_figure(capsys)

    narrow = _write(tmp_path, "narrow.json", json.dumps(NARROW))
    out = run_ok(capsys, "dora", "import", "--org", "Acme", "--mapping", narrow, "--incidents", files["incidents"])
    assert out.splitlines() == [
        "incidents: 0 new, 4 already stored (updated)",
        "3 incidents keep their stored resolution time (the file has none)",
        "1 incidents keep their stored deployment link (the file has none)",
        "imported 4 incidents (4 already stored: merged)",
    ]
    _assert_every_figure(capsys)  # nothing the narrower mapping leaves out was emptied
