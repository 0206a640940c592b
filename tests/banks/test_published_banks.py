"""Banks an organisation publishes: checked before anything is stored, immutable once published, picked per round.

Run through `foundations questions publish|published|diff` and `foundations round new --published`,
in-process against a real database.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.assessments.lookup import get_assessment, get_bank_version
from assessment.assessments.repository import list_assessments, load_assessment, save_answer
from assessment.bank.answers import answered
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.judgement import judge
from assessment.models.access import AuditEvent
from assessment.models.scores import AssessmentScoreRow, FoundationScore
from assessment.organisations.directory import find_organisation
from tests.support.banks import adapted_bank_text
from tests.support.cli import fails, run, run_json, run_ok
from tests.support.database import row_counts

pytestmark = pytest.mark.usefixtures("env_database")  # the command line works on the test database


def _file(tmp_path: Path, text: str, name: str = "acme.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _round_id(engine: Engine, team: str, round_number: int) -> int:
    with db.read_session(engine) as session:
        return next(s.id for s in list_assessments(session) if (s.team, s.round_number) == (team, round_number))


Levels = dict[str, tuple[int, int]]  # foundation -> (level, score)


def _scores(engine: Engine, assessment_id: int) -> tuple[int, Levels, int, Levels]:
    """What a reader sees of a round: its judged score and levels, and the stored scores the portfolio reads."""
    with db.read_session(engine) as session:
        result = judge(session, load_assessment(session, assessment_id=assessment_id)).score
        stored = session.exec(select(AssessmentScoreRow).where(AssessmentScoreRow.assessment_id == assessment_id)).one()
        rows = session.exec(select(FoundationScore).where(FoundationScore.assessment_id == assessment_id))
        levels = {f.foundation: (f.level, f.score) for f in rows}
        judged = {key: (f.level, f.score) for key, f in result.foundations.items()}
        return result.overall_score, judged, stored.overall, levels


def _publications(engine: Engine) -> list[AuditEvent]:
    with db.read_session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "publish_banks")))


def test_a_published_bank_is_immutable_and_the_same_content_again_changes_nothing(
    demo_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = run_ok(capsys, "questions", "publish", "--org", DEMO_ORG, _file(tmp_path, adapted_bank_text()))
    assert said.strip() == f"acme 1.0.0 (Acme adapted bank) is published for {DEMO_ORG}: new rounds may use it"
    again = run_ok(capsys, "questions", "publish", "--org", DEMO_ORG, _file(tmp_path, adapted_bank_text(), "b.yaml"))
    assert again.strip() == f"acme 1.0.0 is already published for {DEMO_ORG}: nothing changed"
    before = row_counts(demo_engine)
    edited = _file(tmp_path, adapted_bank_text(rollback_minutes=3), "edited.yaml")
    refused = fails(capsys, "questions", "publish", "--org", DEMO_ORG, edited)
    assert "question bank acme 1.0.0 differs from the stored copy of that version" in refused
    assert "give the edited bank a new version number" in refused
    assert row_counts(demo_engine) == before  # nothing stored
    run_ok(capsys, "questions", "publish", "--org", DEMO_ORG, _file(tmp_path, adapted_bank_text("1.1.0", 3), "c.yaml"))
    events = _publications(demo_engine)
    assert [(e.actor, e.outcome, e.target) for e in events] == [
        ("command line", "done", "bank acme 1.0.0"),
        ("command line", "done", "bank acme 1.1.0"),
    ]
    listed = run_ok(capsys, "questions", "published", "--org", DEMO_ORG).splitlines()
    assert listed[0] == f"{DEMO_ORG}: 3 bank(s) new rounds may use"
    assert listed[1].startswith("  foundations@2.1.0  Foundations Assessment (shipped")
    assert listed[2].startswith("  acme@1.1.0  Acme adapted bank (published by command line on ")  # newest first
    assert listed[3].startswith("  acme@1.0.0  ")


def test_a_broken_bank_is_refused_with_every_problem_and_nothing_stored(
    demo_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = adapted_bank_text().replace("  gate_pass_score: 75\n", "  gate_pass_score: 175\n")
    broken = broken.replace("  short: Rollback time\n", "  short: ''\n")
    before = row_counts(demo_engine)
    code, out, err = run(capsys, "questions", "publish", "--org", DEMO_ORG, _file(tmp_path, broken))
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert (
        lines[0] == f"error: {tmp_path}/acme.yaml:49: bank.gate_pass_score: Input should be less than or equal to 100"
    )
    assert lines[1].startswith(f"error: {tmp_path}/acme.yaml:727: questions[")
    assert lines[1].endswith("].short: String should have at least 1 character")
    assert row_counts(demo_engine) == before
    assert "no organisation named 'Nobody'" in fails(
        capsys, "questions", "publish", "--org", "Nobody", _file(tmp_path, adapted_bank_text(), "ok.yaml")
    )


def test_a_round_on_a_published_bank_leaves_older_rounds_scores_unchanged(
    demo_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = _round_id(demo_engine, "Platform", 2)
    before = _scores(demo_engine, older)
    run_ok(capsys, "questions", "publish", "--org", DEMO_ORG, _file(tmp_path, adapted_bank_text()))
    started = run_json(
        capsys, "round", "new", "--team", "Platform", "--org", DEMO_ORG, "--published", "acme", "--prefill", "--json"
    )
    assert started["bank"] == "acme 1.0.0"
    with db.read_session(demo_engine) as session:
        stored = get_bank_version(
            session, bank_version_id=get_assessment(session, assessment_id=started["id"]).bank_version_id
        )
        assert (stored.bank_id, stored.version) == ("acme", "1.0.0")
    assert _scores(demo_engine, older) == before  # the older round still means what it meant
    assert before[1]["rollback_speed"][0] == before[3]["rollback_speed"][0] == 4
    new = _scores(demo_engine, started["id"])
    assert new[1]["rollback_speed"][0] <= 2  # the same 5-minute rollback fails "2 minutes or less"
    assert "no bank nobody published for this organisation" in fails(
        capsys, "round", "new", "--team", "Platform", "--org", DEMO_ORG, "--published", "nobody"
    )


def test_a_new_round_marks_stale_carried_answers_with_their_evidence_date(
    demo_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    latest = _round_id(demo_engine, "Payments", 2)
    old = date.today() - timedelta(days=200)
    with db.write_session(demo_engine) as session:
        answer = answered(7, evidence_date=old)
        save_answer(session, assessment_id=latest, question_key="rb_last_rollback_minutes", answer=answer, by="ana")
    text = run_ok(capsys, "round", "new", "--team", "Payments", "--org", DEMO_ORG, "--prefill")
    assert f"re-confirm (stale): Rollback time: evidence dated {old:%-d %B %Y}, 200 days old" in text
    assert text.count("re-confirm (stale)") == 1


def test_diff_shows_questions_and_thresholds_side_by_side(
    demo_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_ok(capsys, "questions", "publish", "--org", DEMO_ORG, _file(tmp_path, adapted_bank_text()))
    text = run_ok(capsys, "questions", "diff", "--org", DEMO_ORG, "foundations", "acme@1.0.0").splitlines()
    assert text[0] == "foundations 2.1.0 -> acme 1.0.0"
    assert "  threshold: Deployment rollback speed · Rollback time: at most 5 -> at most 2" in text
    same = run_ok(capsys, "questions", "diff", "--org", DEMO_ORG, "acme", "acme@1.0.0")
    assert same.strip() == "acme 1.0.0 -> acme 1.0.0: the same questions and thresholds"
    with db.read_session(demo_engine) as session:
        assert find_organisation(session, name=DEMO_ORG) is not None
