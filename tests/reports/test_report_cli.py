"""`foundations report ID -o FILE`: a real PDF on disk, and one-line errors that write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.assessments.repository import list_assessments
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo
from cli.main import main
from tests.support.pdf import outline, read


def _checkout_id(database_url: str) -> int:
    engine = db.get_engine(database_url)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    with db.read_session(engine) as session:
        return next(r.id for r in list_assessments(session) if r.team == "Checkout")


def test_report_writes_a_pdf(env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "checkout.pdf"
    assert main(["report", str(_checkout_id(env_database)), "-o", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    reader = read(target.read_bytes())
    assert reader.metadata is not None
    assert reader.metadata.title == "Foundations assessment: Checkout, round 1"
    assert outline(reader)[0][0] == "Contents"
    assert [p.name for p in out.iterdir()] == ["checkout.pdf"]  # no ".partial" left behind


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["424242"], 1, "error: no assessment with id 424242"),
        (["-1"], 2, "expected a positive assessment id"),
        (["x1"], 2, "expected an assessment id (a whole number), got 'x1'"),
    ],
)
def test_report_bad_ids_write_nothing(
    env_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    db.upgrade(db.get_engine(env_database))  # an empty, migrated database: no assessment exists
    out = tmp_path / "out"
    out.mkdir()
    target = out / "out.pdf"
    argv = ["report", *args, "-o", str(target)] if args[0] != "-1" else ["report", "-o", str(target), "--", "-1"]
    if code == 2:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    else:
        assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_report_into_a_missing_folder(env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db.upgrade(db.get_engine(env_database))
    assert main(["report", "1", "-o", str(tmp_path / "nope" / "r.pdf")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()
