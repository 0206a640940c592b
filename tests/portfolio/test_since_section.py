"""The team report has a "since the last round" section exactly when the team has an earlier round."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from assessment.assessments.comparison import since_last_round
from assessment.assessments.repository import list_assessments, set_status
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG, load_demo
from reports.build import report_pdf
from tests.support.builders import new_round
from tests.support.pdf import page_text, read


def test_second_round_report_says_what_moved(engine: Engine, bank: Bank) -> None:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    with db.read_session(engine) as session:
        first, second = (s.id for s in list_assessments(session) if s.team == "Payments")
        comparison = since_last_round(session, assessment_id=second)
    assert comparison is not None
    later = page_text(read(report_pdf(engine, second)))
    assert "Since the last round" in later
    assert (
        f"Round 1 ({comparison.before.created_at:%-d %B %Y}) to round 2: the overall score went from "
        f"{comparison.before.overall_score} to {comparison.after.overall_score}"
    ) in later
    assert f"{len(comparison.answers)} answers changed" in later
    assert "Since the last round" not in page_text(read(report_pdf(engine, first)))


def test_a_round_in_progress_has_no_since_section(engine: Engine, bank: Bank) -> None:
    """Issue 16, item 3: an unfinished round compared with the last one reads as a fall."""
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    third = new_round(engine, bank, org=DEMO_ORG, team="Payments")
    with db.read_session(engine) as session:
        assert since_last_round(session, assessment_id=third) is None
    with db.write_session(engine) as session:
        set_status(session, assessment_id=third, completed=True)
    with db.read_session(engine) as session:
        comparison = since_last_round(session, assessment_id=third)
    assert comparison is not None
    assert comparison.before.round_number == 2
