"""The organisation export holds everything and imports into another database unchanged; bad files save nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from assessment.access.policy import Actor, acting_as
from assessment.assessments.repository import list_assessments, store_bank
from assessment.bank.answers import answered
from assessment.bank.loader import bank_content_hash
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.interchange.assessment_json import export_assessment
from assessment.interchange.bundle import load as bundle_load
from assessment.interchange.bundle.check import parse_bundle
from assessment.interchange.bundle.export import bundle_text, organisation_json
from assessment.interchange.bundle.load import store_bundle
from assessment.interchange.bundle.schema import (
    DERIVED_TABLES,
    DORA_FINDINGS,
    DORA_IMPORTS,
    DORA_MAPPINGS,
    EXPORTED_TABLES,
    LEFT_OUT_TABLES,
    TEAM_DORA,
)
from assessment.models.access import AuditEvent, Membership
from assessment.models.workshops import Workshop
from assessment.organisations.directory import find_organisation
from assessment.organisations.members import grant
from assessment.portfolio.data import portfolio_data
from assessment.workshops.access import facilitated_workshop
from assessment.workshops.admin import create_workshop
from assessment.workshops.participants import join_view, participant_view
from cli import main as cli
from tests.support.builders import Secrets, answer_all, new_round, org_id, random_organisation, rich_demo
from tests.support.database import PG_URL, row_counts, use_database


def volatile_free(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def text_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('  "exported_at": ')]


def export_text(engine: Engine, org: str = DEMO_ORG) -> str:
    with db.read_session(engine) as session:
        return bundle_text(organisation_json(session, organisation=org))


def test_every_table_is_exported_derived_or_left_out(engine: Engine) -> None:
    groups = (EXPORTED_TABLES, DERIVED_TABLES, LEFT_OUT_TABLES)
    assert sum(len(g) for g in groups) == len(set().union(*groups)), "a table is in two groups"
    in_database = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    assert in_database == set(SQLModel.metadata.tables) == set().union(*groups)


def test_dora_tables_travel_with_every_column(engine: Engine) -> None:
    """Every column the migrated database has is either written, implied by the parent, or a link."""
    inspector = sa.inspect(engine)
    for spec in (DORA_IMPORTS, DORA_MAPPINGS, DORA_FINDINGS, *TEAM_DORA.values()):
        stored = {c["name"] for c in inspector.get_columns(spec.table.name)}
        carried = {"id", spec.parent, *(c for c, _ in spec.links), *(c.name for c in spec.data_columns)}
        assert stored == carried, spec.table.name


@pytest.mark.parametrize("copy_from_rows", [bundle_load.COPY_FROM_ROWS, 1], ids=["as-shipped", "copy-every-table"])
def test_export_import_export_is_identical_and_every_row_arrives(
    engine: Engine, second_engine: Engine, bank: Bank, copy_from_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `copy-every-table`, PostgreSQL writes every table of the import with COPY."""
    if copy_from_rows == 1 and not PG_URL:
        pytest.skip("COPY is PostgreSQL's; SQLite always uses executemany")
    monkeypatch.setattr(bundle_load, "COPY_FROM_ROWS", copy_from_rows)
    secrets = rich_demo(engine, bank)
    # the target already holds another organisation, so every id there differs from the source's
    random_organisation(second_engine, bank, 3, org="Acme", teams=2)
    with db.write_session(second_engine) as session:
        create_workshop(session, organisation="Acme", teams=["Team 00"], bank=bank, facilitator="Al")
    text = export_text(engine)
    before = row_counts(second_engine)
    with db.write_session(second_engine) as session:
        doc = parse_bundle(json.loads(text), "org.json")
        imported = store_bundle(session, doc=doc, source="org.json", with_access=True)
    assert (imported.teams, imported.rounds, imported.workshops, imported.members) == (5, 10, 2, 2)
    assert imported.dora_rows > 2000

    again = export_text(second_engine)
    assert text_lines(again) == text_lines(text)
    assert volatile_free(json.loads(again)) == volatile_free(json.loads(text))

    source, after = row_counts(engine), row_counts(second_engine)
    arrived = {table: after[table] - before[table] for table in after}
    assert arrived.pop("bank_version") == 0
    assert source.pop("bank_version") == 1
    assert arrived.pop("audit_event") == 1  # the import's own entry; the source's log stays where it was
    source.pop("audit_event")
    assert (source.pop("organisation_brand"), arrived.pop("organisation_brand")) == (1, 0)  # stays with the install
    assert arrived == source
    assert all(source[t] > 0 for t in EXPORTED_TABLES | DERIVED_TABLES if t != "bank_version"), source
    assert_scores_equal(engine, second_engine)
    assert_workshop_still_opens(second_engine, secrets)


def assert_scores_equal(first: Engine, second: Engine) -> None:
    """The stored scores the import recomputed say what the source's said."""
    views = []
    for engine in (first, second):
        with db.read_session(engine) as session:
            data = portfolio_data(session, organisation_id=org_id(session, DEMO_ORG))
        views.append(
            [(t.team, t.round_number, t.overall, t.answered, t.carried_over, t.cells, t.ready) for t in data.teams]
        )
    assert views[0] == views[1]


def assert_workshop_still_opens(engine: Engine, secrets: Secrets) -> None:
    """Key, token and join code held by people work on the new install: the digests came along."""
    with db.read_session(engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.join_code == secrets.join_code)).one()
        assert facilitated_workshop(session, workshop_id=workshop_id, key=secrets.key).title == "Q4 review"
        view = participant_view(session, token=secrets.tokens["Bob"])
        assert view.answers["rb_rollback_path"].note == "=we tested it in May"
        assert view.finished
        assert [name for _, name in join_view(session, code=secrets.join_code).teams] == [
            "Checkout",
            "Mobile API",
        ]


def test_the_cli_round_trip_into_an_empty_database_and_refuses_a_second_import(
    env_database: str,
    engine: Engine,
    second_database_url: str,
    bank: Bank,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rich_demo(engine, bank)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli.main(["export", "--org", DEMO_ORG, "-o", str(first)]) == 0
    use_database(monkeypatch, second_database_url)
    try:
        assert cli.main(["db", "upgrade"]) == 0
        assert cli.main(["import", str(first), "--with-access"]) == 0
        assert f"imported {DEMO_ORG!r} from {first}: 5 team(s), 10 round(s)" in capsys.readouterr().out
        assert cli.main(["export", "--org", DEMO_ORG, "-o", str(second)]) == 0
        assert text_lines(second.read_text(encoding="utf-8")) == text_lines(first.read_text(encoding="utf-8"))
        target = db.get_engine(second_database_url)
        counts = row_counts(target)
        capsys.readouterr()
        assert cli.main(["import", str(first), "--with-access"]) == 1
        err = capsys.readouterr().err
        assert err == (
            f"error: {first}: an organisation named {DEMO_ORG!r} already exists in this database; "
            "nothing was imported (rename or remove it first)\n"
        )
        assert row_counts(target) == counts
    finally:
        db.get_engine(second_database_url).dispose()


# --- bad documents ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_doc(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> dict[str, Any]:
    """One export of the rich demo (made on SQLite: the document does not depend on the backend)."""
    source = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('source') / 'source.db'}")
    db.upgrade(source)
    rich_demo(source, bank)
    doc: dict[str, Any] = json.loads(export_text(source))
    source.dispose()
    return doc


def team_at(doc: dict[str, Any], name: str) -> int:
    return next(i for i, t in enumerate(doc["teams"]) if t["name"] == name)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A tamper that sets the value at a dotted path (`teams.@Checkout.dora...`, @name: the team's index)."""

    def tamper(doc: dict[str, Any]) -> None:
        node: Any = doc
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[_key(doc, part)]
        node[_key(doc, parts[-1])] = value(doc) if callable(value) else value

    return tamper


def _key(doc: dict[str, Any], part: str) -> Any:
    if part.startswith("@"):
        return team_at(doc, part[1:])
    return int(part) if part.lstrip("-").isdigit() else part


def _bank_edited_without_new_version(doc: dict[str, Any]) -> None:
    content = doc["banks"][0]["content"]
    content["bank"]["title"] = "Foundations Assessment (edited)"
    doc["banks"][0]["content_hash"] = bank_content_hash(Bank.model_validate(content))


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "unknown question",
        _set("teams.@Checkout.rounds.0.answers.0.question_key", "no_such_question"),
        "teams[{Checkout}].rounds[0]: answers[0]: unknown question key 'no_such_question'",
    ),
    (
        "answer out of range",  # answers 0-4 are the context questions; 5 is the instance-loss level
        _set("teams.@Platform.rounds.0.answers.5.value", 99),
        "teams[{Platform}].rounds[0]: answers[5]: fi_instance_kill: level must be a whole number from 0 to 4, not 99",
    ),
    (
        "text for an epoch",
        _set("teams.@Checkout.dora.deployments.rows.0.3", "2026-01-01"),
        "teams[{Checkout}].dora.deployments.rows[0][3]: Input should be a valid integer",
    ),
    (
        "import out of range",
        _set("teams.@Checkout.dora.deployments.rows.0.0", 7),
        "teams[{Checkout}].dora.deployments.rows[0][0]: import 7 is not in dora.imports (2 import(s))",
    ),
    (
        "repeated deployment id",
        _set("teams.@Platform.dora.deployments.rows.1.1", "pl-d1"),
        "teams[{Platform}].dora.deployments.rows[1][1]: external_id 'pl-d1' appears twice",
    ),
    (
        "renamed column",
        _set("teams.@Checkout.dora.changes.columns.1", "id"),
        "teams[{Checkout}].dora.changes.columns[1]: Input should be 'external_id'",
    ),
    (
        "row too short",
        _set("teams.@Checkout.dora.incidents.rows.0", [0, "INC-1"]),
        "teams[{Checkout}].dora.incidents.rows[0][2]: Field required",
    ),
    (
        "typed figure as text",
        _set("teams.@Checkout.dora.figures.rows.0.5", "fast"),
        "teams[{Checkout}].dora.figures.rows[0][5]: ",
    ),
    (
        "finding rule twice",
        _set(
            "teams.@Checkout.rounds.0.dora_findings.rows.1.0",
            lambda d: d["teams"][team_at(d, "Checkout")]["rounds"][0]["dora_findings"]["rows"][0][0],
        ),
        "teams[{Checkout}].rounds[0].dora_findings.rows[1][0]: rule ",
    ),
    (
        "mapping not JSON",
        _set("dora.saved_mappings.rows.0.1", "{not json"),
        "dora.saved_mappings.rows[0][1]: not valid JSON",
    ),
    (
        "short token digest",
        _set("workshops.0.teams.0.participants.0.token_sha256", "abc"),
        "workshops[0].teams[0].participants[0].token_sha256: String should match pattern",
    ),
    (
        "same token twice",
        _set(
            "workshops.0.teams.0.participants.1.token_sha256",
            lambda d: d["workshops"][0]["teams"][0]["participants"][0]["token_sha256"],
        ),
        "workshops[0].teams[0].participants[1].token_sha256: two participants have this token",
    ),
    (
        "workshop round missing",
        _set("workshops.0.teams.0.round_number", 99),
        "workshops[0].teams[0]: 'Checkout' has no round 99 in teams",
    ),
    (
        "participant answer out of range",
        _set("workshops.0.teams.0.participants.0.answers.0.value", 9),
        "workshops[0].teams[0].participants[0].answers[0]: ",
    ),
    ("unknown role", _set("memberships.0.role", "king"), "memberships[0].role: Input should be 'owner'"),
    (
        "address not normalised",
        _set("memberships.0.email", "Ana@Example.org"),
        "memberships[0].email: expected the address in lower case",
    ),
    ("team twice", _set("teams.1.name", lambda d: d["teams"][0]["name"]), "teams[1].name: team "),
    (
        "bank tampered",
        _set("banks.0.content_hash", "0" * 64),
        "banks[0]: the bank snapshot does not match its id, version or hash",
    ),
    (
        "unknown bank",
        _set("teams.0.rounds.0.bank.version", "9.9.9"),
        "teams[0].rounds[0].bank: bank foundations 9.9.9",
    ),
    ("extra key", _set("surprise", 1), "surprise: Extra inputs are not permitted"),
    (
        "newer format",
        _set("format_version", 3),
        "format_version 3 is newer than this version of Foundations reads",
    ),
    ("naive time", _set("created_at", "2026-01-01T00:00:00"), "created_at: Input should have timezone info"),
    # names are checked as the app checks them when they are typed (assessment/core/names.py)
    (
        "bidi override in the organisation",
        _set("organisation", "Northwind \u202eslaitnedifnoC"),
        "organisation: Value error, holds U+202E (RIGHT-TO-LEFT OVERRIDE): a name may not hold control characters",
    ),
    (
        "NUL in a team name",
        _set("teams.@Checkout.name", "Check\x00out"),
        "teams[{Checkout}].name: Value error, holds U+0000 (a control character)",
    ),
    (
        "label too long",
        _set("teams.@Checkout.rounds.0.label", "x" * 201),
        "teams[{Checkout}].rounds[0].label: Value error, is longer than 200 characters",
    ),
    (
        "escape in an author",
        _set("teams.@Checkout.rounds.0.answers.0.answered_by", "\x1b[2Jroot"),
        "teams[{Checkout}].rounds[0].answers[0].answered_by: Value error, holds U+001B (a control character)",
    ),
    (
        "isolate in a mapping name",
        _set(f"dora.saved_mappings.rows.0.{DORA_MAPPINGS.names.index('name')}", "GitLab\u2067"),
        f"dora.saved_mappings.rows[0][{DORA_MAPPINGS.names.index('name')}]: Value error, holds U+2067",
    ),
    (
        "override in who typed the figures",
        _set(f"teams.@Checkout.dora.figures.rows.0.{TEAM_DORA['figures'].names.index('entered_by')}", "\u202dFran"),
        f"teams[{{Checkout}}].dora.figures.rows[0][{TEAM_DORA['figures'].names.index('entered_by')}]: Value error, "
        "holds U+202D (LEFT-TO-RIGHT OVERRIDE)",
    ),
    (
        "NUL in a participant's name",
        _set("workshops.0.teams.0.participants.0.display_name", "Ann\x00"),
        "workshops[0].teams[0].participants[0].display_name: Value error, holds U+0000",
    ),
    (
        "workshop title too long",
        _set("workshops.0.title", "Q" * 201),
        "workshops[0].title: Value error, is longer than 200 characters",
    ),
]


def refused_import(doc: dict[str, Any], engine: Engine, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Import `doc` through the CLI (access granted: the refusal is the file's), expect a one-line refusal naming
    the file and no row changed; return it."""
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = row_counts(engine)
    assert cli.main(["import", str(path), "--with-access"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {path}: "), err
    assert row_counts(engine) == before
    return err.removeprefix(f"error: {path}: ").rstrip("\n")


@pytest.mark.parametrize(("tamper", "expected"), [pytest.param(t, e, id=n) for n, t, e in BAD])
def test_a_bad_document_names_its_path_and_saves_nothing(
    good_doc: dict[str, Any],
    tamper: Callable[[dict[str, Any]], None],
    expected: str,
    env_database: str,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = copy.deepcopy(good_doc)
    tamper(doc)
    said = refused_import(doc, engine, tmp_path / "bad.json", capsys)
    assert expected.format(**{t["name"]: i for i, t in enumerate(good_doc["teams"])}) in said


def test_a_failure_after_the_first_writes_rolls_everything_back(
    good_doc: dict[str, Any],
    env_database: str,
    engine: Engine,
    bank: Bank,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The bank check runs inside the transaction, after the organisation row is written."""
    with db.write_session(engine) as session:
        store_bank(session, bank=bank)
    doc = copy.deepcopy(good_doc)
    _bank_edited_without_new_version(doc)
    said = refused_import(doc, engine, tmp_path / "edited.json", capsys)
    assert said.startswith(f"banks[0]: question bank foundations {bank.version} differs from the stored copy")


def test_a_join_code_in_use_here_is_refused(
    good_doc: dict[str, Any],
    env_database: str,
    engine: Engine,
    bank: Bank,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One join code must never open two workshops."""
    with db.write_session(engine) as session:
        created = create_workshop(session, organisation="Acme", teams=["Ops"], bank=bank, facilitator="Al")
        workshop = session.get(Workshop, created.id)
        assert workshop is not None
        workshop.join_code = good_doc["workshops"][1]["join_code"]
    said = refused_import(good_doc, engine, tmp_path / "org.json", capsys)
    assert (
        said == "workshops[1].join_code: a workshop in this database already has this join code; nothing was imported"
    )


# --- who sees what, and the older formats -------------------------------------------------------------------------


@pytest.fixture
def rich_demo_engine(engine: Engine, bank: Bank) -> Engine:
    """The demo organisation with everything an export carries (see `rich_demo`)."""
    rich_demo(engine, bank)
    return engine


def test_members_and_workshops_are_left_out_for_an_exporter_who_is_not_an_owner(
    rich_demo_engine: Engine, second_engine: Engine
) -> None:
    """A facilitator sees individual answers only with a workshop's key: an export must not hand them over."""
    with db.read_session(rich_demo_engine) as session:
        organisation = org_id(session, DEMO_ORG)
    grant(rich_demo_engine, actor=None, organisation_id=organisation, email="fa@example.org", role="facilitator")
    with acting_as(Actor(email="fa@example.org")), db.read_session(rich_demo_engine) as session:
        doc = organisation_json(session, organisation=DEMO_ORG)
    assert doc["memberships"] is None
    assert doc["workshops"] is None
    assert "participants" not in json.dumps(doc)
    with db.write_session(second_engine) as session:
        imported = store_bundle(session, doc=parse_bundle(doc, "org.json"), source="org.json")
    assert imported.members is None
    assert "member" not in imported.sentence("org.json")
    counts = row_counts(second_engine)
    assert counts["membership"] == 0
    assert counts["workshop"] == counts["participant_answer"] == 0


def test_a_single_assessment_export_still_imports(
    env_database: str, engine: Engine, bank: Bank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = new_round(engine, bank, org="Acme", team="Ops")
    answer_all(engine, first, {"rb_rollback_path": answered(3, note="tested")})
    path = tmp_path / "one.json"
    assert cli.main(["export", str(first), "-o", str(path)]) == 0
    assert cli.main(["import", str(path)]) == 0
    assert "(Acme / Ops, round 2)" in capsys.readouterr().out
    with db.read_session(engine) as session:
        rounds = list_assessments(session)
        again = [export_assessment(session, assessment_id=r.id) for r in rounds]
    assert [r.round_number for r in rounds] == [1, 2]
    assert again[0]["answers"] == again[1]["answers"]
    assert again[0]["history"] == again[1]["history"]


def test_a_version_1_organisation_document_still_imports(
    env_database: str, engine: Engine, bank: Bank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files written before format version 2 held the rounds only; they import as they always did."""
    first = new_round(engine, bank, org="Acme", team="Ops")
    answer_all(engine, first, {"rb_rollback_path": answered(2)})
    with db.read_session(engine) as session:
        rounds = [export_assessment(session, assessment_id=first)]
    path = tmp_path / "v1.json"
    path.write_text(
        json.dumps(
            {
                "format": "foundations.organisation",
                "format_version": 1,
                "organisation": "Acme",
                "exported_at": "2026-01-01T00:00:00Z",
                "assessments": rounds,
            }
        ),
        encoding="utf-8",
    )
    assert cli.main(["import", str(path)]) == 0
    assert f"imported 1 round(s) of 'Acme' from {path}" in capsys.readouterr().out
    with db.read_session(engine) as session:
        assert find_organisation(session, name="Acme") is not None
        assert [r.round_number for r in list_assessments(session)] == [1, 2]


# --- access carried by a document ---------------------------------------------------------------------------


def test_an_import_that_would_grant_access_lists_it_and_grants_nothing_without_with_access(
    good_doc: dict[str, Any],
    env_database: str,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`foundations import` trusted the memberships and workshop keys in the file: whoever wrote one could make
    themselves an owner. It now names each person, role and organisation, and each workshop its secrets open, and
    imports such a file only with --with-access."""
    doc = copy.deepcopy(good_doc)
    doc["memberships"].append({"email": "mallory@evil.example", "role": "owner", "granted_at": doc["created_at"]})
    path = tmp_path / "org.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    org = repr(doc["organisation"])
    members = [f"  {m['email']}: {m['role']} in {org}" for m in doc["memberships"]]
    before = row_counts(engine)
    assert cli.main(["import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: {path}: nothing was imported, because importing it would grant this access:"
    assert err[1 : 1 + len(members)] == members
    assert "  mallory@evil.example: owner in 'Northwind Streaming'" in err
    workshops = err[1 + len(members) : -1]
    assert [line.split(" (")[0] for line in workshops] == [
        f"  workshop 'Q4 review' in {org}",
        f"  workshop 'Payments deep dive' in {org}",
    ]
    assert "open until " in workshops[0]
    assert "3 participant link(s) open their own answers" in workshops[0]
    assert "closed: join code " in workshops[1]
    assert "0 participant link(s)" in workshops[1]
    assert err[-1].startswith("Give --with-access to import it with this access")
    assert row_counts(engine) == before  # nothing at all, and no membership in particular

    assert cli.main(["import", str(path), "--with-access"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ["granted:", *members, *workshops]
    with db.read_session(engine) as session:
        roles = {m.email: m.role for m in session.exec(select(Membership))}
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "import_organisation")).one()
    assert roles["mallory@evil.example"] == "owner"
    assert audit.detail.endswith(", granting 3 membership(s) and 2 workshop(s)' keys")
