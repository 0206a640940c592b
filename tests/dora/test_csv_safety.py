"""The left-out rows CSV neutralises formula cells, as the organisation export does.

Why (issue 14): "Download every left-out row (CSV)" wrote ids like `=HYPERLINK(...)`,
`+cmd|...` and `@SUM(...)` unchanged, so a spreadsheet would run them.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora import service
from assessment.dora.formats import Kind
from tests.support.dora_data import WINDOW, import_rows, team_id

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTAB"]


def test_left_out_ids_that_look_like_formulas_stay_text(engine: Engine) -> None:
    rows = [
        {"id": hostile, "service": "a", "deployed_at": "2024-05-02T10:00:00Z", "status": "failed"}
        for hostile in HOSTILE[:4]
    ]
    rows.append({"id": "ok", "service": "a", "deployed_at": "2024-05-02T11:00:00Z", "change_ids": "@c1"})
    import_rows(engine, {Kind.DEPLOYMENTS: rows})
    with db.read_session(engine) as session:
        summary = service.team_summary(session, team_id=team_id(engine), window=WINDOW)
    text = service.left_out_csv(summary.metrics.quality.rows)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["kind", "id", "reason"]
    ids = {row[1] for row in table[1:]}
    assert {"'" + hostile for hostile in HOSTILE[:4]} | {"'@c1"} <= ids
    assert not [cell for row in table for cell in row if cell[:1] in ("=", "+", "-", "@", "\t")]
