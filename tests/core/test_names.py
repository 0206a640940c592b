"""Names are checked where they are written, as `foundations import` checks them (issue 15, finding 8).

A NUL byte, an escape or a bidi override (U+202E made the PDF footer read "laitnedifnoC") was
stored as typed; an author or a round label over 200 characters was stored on SQLite and then
refused when the export was imported again. Every write path now refuses them with the field's
name and the character, and writes nothing. tests/exchange/test_bundle.py holds the import side.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.assessments.repository import create_assessment, save_answer, store_bank
from assessment.bank.answers import answered
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.core.names import checked_name, name_problem
from assessment.dora.figures import Typed, save_figures
from assessment.dora.formats import Kind
from assessment.dora.ingest.saved import save_mapping
from assessment.organisations.brand import make_brand
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.workshops.admin import create_workshop
from assessment.workshops.participants import join_view, join_workshop
from tests.support.builders import new_round
from tests.support.database import row_counts

HOSTILE = {
    "NUL": ("\x00", "U+0000 (a control character)"),
    "escape": ("\x1b[2J", "U+001B (a control character)"),
    "bell": ("\x07", "U+0007 (a control character)"),
    "C1 control": ("\x9b", "U+009B (a control character)"),
    "right-to-left override": ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "left-to-right embedding": ("\u202a", "U+202A (LEFT-TO-RIGHT EMBEDDING)"),
    "first-strong isolate": ("\u2068", "U+2068 (FIRST STRONG ISOLATE)"),
    "pop isolate": ("\u2069", "U+2069 (POP DIRECTIONAL ISOLATE)"),
}
Write = Callable[[Session, str], object]


def _team(session: Session) -> int:
    org = ensure_organisation(session, name="Acme")
    return ensure_team(session, organisation_id=org.id or 0, name="Core").id or 0


def _round(session: Session, *, created_by: str = "ana", label: str | None = None) -> object:
    team_id = _team(session)
    version = store_bank(session, bank=default_bank()).id or 0
    return create_assessment(session, team_id=team_id, bank_version_id=version, created_by=created_by, label=label)


def _participant(session: Session, name: str) -> object:
    made = create_workshop(session, organisation="Acme", teams=["Core"], bank=default_bank(), facilitator="Fran")
    seat = join_view(session, code=made.join_code).teams[0][0]
    return join_workshop(session, code=made.join_code, display_name=name, workshop_team_id=seat)


WRITES: dict[str, tuple[str, Write]] = {
    "organisation": ("organisation name", lambda s, v: ensure_organisation(s, name=v)),
    "team": (
        "team name",
        lambda s, v: ensure_team(s, organisation_id=ensure_organisation(s, name="Acme").id or 0, name=v),
    ),
    "round's author": ("author", lambda s, v: _round(s, created_by=v)),
    "round label": ("round label", lambda s, v: _round(s, label=v)),
    "answer's author": (
        "author",
        lambda s, v: save_answer(
            s, assessment_id=getattr(_round(s), "id", 0), question_key="rb_rollback_path", answer=answered(2), by=v
        ),
    ),
    "figures' author": (
        "author",
        lambda s, v: save_figures(s, team_id=_team(s), by=v, values={"deployment_frequency": Typed(number=3)}),
    ),
    "mapping name": (
        "mapping name",
        lambda s, v: save_mapping(
            s,
            organisation_id=ensure_organisation(s, name="Acme").id or 0,
            name=v,
            mapping={Kind.DEPLOYMENTS: {"id": "iid"}},
        ),
    ),
    "workshop title": (
        "workshop name",
        lambda s, v: create_workshop(
            s, organisation="Acme", teams=["Core"], bank=default_bank(), facilitator="F", title=v
        ),
    ),
    "workshop facilitator": (
        "author",
        lambda s, v: create_workshop(s, organisation="Acme", teams=["Core"], bank=default_bank(), facilitator=v),
    ),
    "participant": ("display name", _participant),
}


@pytest.mark.parametrize("where", list(WRITES))
@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_a_name_with_a_control_or_bidi_character_is_refused_naming_the_field(
    engine: Engine, where: str, hostile: str
) -> None:
    field, write = WRITES[where]
    char, said = HOSTILE[hostile]
    before = row_counts(engine)
    with pytest.raises(FoundationsError) as refused, db.write_session(engine) as session:
        write(session, f"Pay{char}ments")
    assert str(refused.value).startswith(f"{field} holds {said}: a name may not hold control characters"), str(
        refused.value
    )
    assert row_counts(engine) == before


@pytest.mark.parametrize("where", ["round's author", "round label", "answer's author", "figures' author"])
def test_an_author_or_label_over_the_import_limit_is_refused_when_written(engine: Engine, where: str) -> None:
    """The import refuses more than 200 characters, so the app does too: an export always imports again."""
    field, write = WRITES[where]
    before = row_counts(engine)
    too_long = pytest.raises(FoundationsError, match=f"^{field} is longer than 200 characters$")
    with too_long, db.write_session(engine) as session:
        write(session, "x" * 201)
    assert row_counts(engine) == before
    with db.write_session(engine) as session:
        write(session, "x" * 200)  # the limit itself is fine


@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_the_reports_confidentiality_line_refuses_them_too(hostile: str) -> None:
    char, said = HOSTILE[hostile]
    with pytest.raises(FoundationsError) as refused:
        make_brand(confidentiality=f"Confidential{char}")
    assert f"the confidentiality line holds {said}" in str(refused.value)


def test_names_people_write_every_day_pass(engine: Engine) -> None:
    """Accents, other scripts, emoji (with their joiners) and punctuation are names, not attacks."""
    for name in ("Zoë's team", "Équipe Paiement", "支付团队", "فريق الدفع", "🚀 Launch 👩\u200d💻", "R&D / Ops (EU)"):
        assert name_problem(name) is None, name
        assert checked_name("team name", f"  {name} ") == name
    new_round(engine, org="Café Ltd", team="支付团队")
