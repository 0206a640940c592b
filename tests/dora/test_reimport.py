"""Re-importing without loss: an empty value keeps the stored one unless a replace is asked, and the plan says so.

Why (issue 14): re-importing incidents with a narrower mapping (no resolution time, no
deployment link) nulled 19 resolution times and links ("19 replaced"), unannounced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import mapping_to_json
from assessment.dora.ingest.store import NotConfirmed, WriteOptions
from tests.support.cli import run
from tests.support.dora_data import DEPLOYMENTS, GOLDEN, INCIDENTS, dora_fingerprint, import_rows

NARROW = [{k: r[k] for k in ("id", "service", "started_at")} for r in INCIDENTS]  # what a narrower mapping reads


def _incidents(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT external_id, resolved_epoch_s, deployment_external_id, change_external_id FROM dora_incident"
            )
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def _statuses(engine: Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT external_id, status, environment FROM dora_deployment")).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_a_narrower_re_import_keeps_every_stored_value_and_says_so(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    before = _incidents(engine)
    result = import_rows(engine, {Kind.INCIDENTS: NARROW})
    assert _incidents(engine) == before  # i1, i2, i4 keep their resolution times; i2 its deployment, i3 its change
    assert result.plan is not None
    assert result.plan.lines() == [
        "incidents: 0 new, 4 already stored (updated)",
        "3 incidents keep their stored resolution time (the file has none)",
        "1 incidents keep their stored deployment link (the file has none)",
        "1 incidents keep their stored change link (the file has none)",
    ]
    assert result.sentence() == "imported 4 incidents (4 already stored: merged)"


def test_replace_empties_stored_values_and_counts_them_first(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    result = import_rows(engine, {Kind.INCIDENTS: NARROW}, options=WriteOptions(replace=True))
    assert set(_incidents(engine).values()) == {(None, None, None)}
    assert result.plan is not None
    assert result.plan.losses == 5
    assert "3 incidents would lose their resolution time" in result.plan.lines()
    assert result.sentence() == "imported 4 incidents (4 already stored: replaced)"


def test_status_and_environment_left_out_keep_the_stored_ones_unless_replaced(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    bare = [{k: r[k] for k in ("id", "service", "deployed_at")} for r in DEPLOYMENTS]
    result = import_rows(engine, {Kind.DEPLOYMENTS: bare})
    assert _statuses(engine)["d3"] == ("failed", "production")
    assert _statuses(engine)["d4"] == ("success", "staging")
    assert result.plan is not None
    assert "1 deployments keep their stored status (the file has none)" in result.plan.lines()
    replaced = import_rows(engine, {Kind.DEPLOYMENTS: bare}, options=WriteOptions(replace=True))
    assert replaced.plan is not None
    assert "1 deployments would lose their status (set back to 'success')" in replaced.plan.lines()
    assert "1 deployments would lose their environment (set back to 'production')" in replaced.plan.lines()
    assert _statuses(engine)["d3"] == ("success", "production")


def test_a_value_the_file_gives_still_updates_the_stored_one(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    later = [dict(INCIDENTS[0], resolved_at="2024-05-01T19:00:00Z")]
    result = import_rows(engine, {Kind.INCIDENTS: later})
    assert result.plan is not None
    assert "1 incidents would get another resolution time" in result.plan.lines()
    assert _incidents(engine)["i1"][0] == 1714590000


def test_a_plan_not_confirmed_writes_nothing(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    before = dora_fingerprint(engine)
    with pytest.raises(NotConfirmed) as refused:
        import_rows(engine, {Kind.INCIDENTS: NARROW}, options=WriteOptions(replace=True, confirm=lambda plan: False))
    assert "3 incidents would lose their resolution time" in refused.value.plan.lines()
    assert dora_fingerprint(engine) == before


@pytest.fixture
def cli_files(env_database: str, tmp_path: Path) -> dict[str, Path]:
    """The golden data imported for team Team of Org, and an incidents export read with a narrower mapping."""
    engine = db.get_engine()
    db.upgrade(engine)
    import_rows(engine, GOLDEN)
    export = tmp_path / "incidents.csv"
    export.write_text(
        "Number,Service Name,Created,Resolved On,Caused By Deploy\n"
        + "".join(
            f"{r['id']},{r['service']},{r['started_at']},{r.get('resolved_at', '')},{r.get('deployment_id', '')}\n"
            for r in INCIDENTS
        ),
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        mapping_to_json({Kind.INCIDENTS: {"id": "Number", "service": "Service Name", "started_at": "Created"}})
    )
    return {"export": export, "mapping": mapping}


def test_cli_says_what_would_change_and_a_dry_run_saves_nothing(
    cli_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = dora_fingerprint(db.get_engine())
    argv = ["dora", "import", "--team", "Team", "--incidents", str(cli_files["export"])]
    code, out, _ = run(capsys, *argv, "--mapping", str(cli_files["mapping"]), "--replace", "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "incidents: 0 new, 4 already stored (updated)",
        "3 incidents would lose their resolution time",
        "1 incidents would lose their deployment link",
        "1 incidents would lose their change link",
        "dry run: nothing was imported",
    ]
    assert dora_fingerprint(db.get_engine()) == before
    code, out, _ = run(capsys, *argv, "--mapping", str(cli_files["mapping"]))
    assert code == 0
    assert out.splitlines()[1] == "3 incidents keep their stored resolution time (the file has none)"
    assert out.splitlines()[-1] == "imported 4 incidents (4 already stored: merged)"
    assert _incidents(db.get_engine())["i1"] == (1714588200, None, None)  # kept: 1 May 2024 18:30 UTC


def test_cli_replace_empties_the_values_the_mapping_leaves_out(
    cli_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        *("dora", "import", "--team", "Team", "--incidents", str(cli_files["export"])),
        *("--mapping", str(cli_files["mapping"]), "--replace"),
    )
    assert code == 0
    assert "3 incidents would lose their resolution time" in out.splitlines()
    assert out.splitlines()[-1] == "imported 4 incidents (4 already stored: replaced)"
    assert set(_incidents(db.get_engine()).values()) == {(None, None, None)}
