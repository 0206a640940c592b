"""Reading a document: pydantic validation, then every check that needs no database.

References, duplicates, answers against the document's own banks, saved mappings, members and
workshops are checked before anything is written, so a refused file names the JSON path of its
problem and leaves the database untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from assessment.bank.answers import AnswerStatus, AnswerValue, check_answer
from assessment.bank.loader import bank_content_hash, format_path
from assessment.bank.model import Bank
from assessment.core.emails import clean_email
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.dora.ingest.mapping import parse_mapping
from assessment.dora.ingest.problems import DoraImportError
from assessment.interchange.assessment_json import checked_answers, validation_problems
from assessment.interchange.bundle.schema import (
    DORA_FINDINGS,
    DORA_MAPPINGS,
    TEAM_DORA,
    Bundle,
    BundleMember,
    BundleParticipantAnswer,
    RowsSpec,
)
from assessment.organisations.directory import clean_name


def parse_bundle(data: Any, source: str) -> Bundle:
    """Validate a version-2 document, naming the JSON path of the first problems; checks what pydantic cannot."""
    try:
        doc = Bundle.model_validate(data)
    except ValidationError as exc:
        raise FoundationsError(
            f"{source}: not a Foundations organisation export: {validation_problems(exc, 5)}"
        ) from None
    return doc


@dataclass
class Checked:
    """What checking a document yields besides its validity: banks and the checked answer values."""

    banks: dict[tuple[str, str], Bank]
    answers: dict[tuple[int, int], list[AnswerValue]]  # (team index, round index)
    given: dict[tuple[int, int, int], list[AnswerValue]]  # (workshop, team, participant) -> answers


def check_bundle(doc: Bundle, source: str) -> Checked:
    """Everything about the document that needs no database: references, duplicates, answers against banks."""

    def fail(path: str, message: str) -> FoundationsError:
        return FoundationsError(f"{source}: {path}: {message}")

    banks = _checked_banks(doc, fail)
    answers: dict[tuple[int, int], list[AnswerValue]] = {}
    rounds: dict[tuple[str, int], Bank] = {}
    imports = len(doc.dora.imports.rows) if doc.dora.imports else 0
    seen_teams: set[str] = set()
    for i, team in enumerate(doc.teams):
        if clean_name("team", team.name) != team.name:
            raise fail(f"teams[{i}].name", "a team name has no leading or trailing spaces")
        if team.name in seen_teams:
            raise fail(f"teams[{i}].name", f"team {team.name!r} is listed twice")
        seen_teams.add(team.name)
        for j, r in enumerate(team.rounds):
            where = f"teams[{i}].rounds[{j}]"
            if (team.name, r.round_number) in rounds:
                raise fail(f"{where}.round_number", f"{team.name!r} has round {r.round_number} twice")
            bank = banks.get((r.bank.id, r.bank.version))
            if bank is None:
                raise fail(f"{where}.bank", f"bank {r.bank.id} {r.bank.version} is not in banks")
            rounds[(team.name, r.round_number)] = bank
            answers[(i, j)] = checked_answers(bank, r.answers, f"{source}: {where}")
            if r.dora_findings is not None:
                _unique(r.dora_findings.rows, DORA_FINDINGS, "rule", f"{where}.dora_findings", fail)
        for key, spec in TEAM_DORA.items():
            block = getattr(team.dora, key)
            if block is None:
                continue
            where = f"teams[{i}].dora.{key}"
            for n, row in enumerate(block.rows):
                if spec.links and row[0] >= imports:
                    raise fail(
                        f"{where}.rows[{n}][0]",
                        f"import {row[0]} is not in dora.imports ({imports} import(s))",
                    )
            if "external_id" in spec.names:
                _unique(block.rows, spec, "external_id", where, fail)
    if doc.dora.saved_mappings is not None:
        _check_mappings(doc.dora.saved_mappings, fail)
    _check_members(doc.memberships or [], fail)
    given = _check_workshops(doc, rounds, fail)
    return Checked(banks, answers, given)


def _checked_banks(doc: Bundle, fail: Any) -> dict[tuple[str, str], Bank]:
    banks: dict[tuple[str, str], Bank] = {}
    for i, exported in enumerate(doc.banks):
        try:
            bank = Bank.model_validate(exported.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise fail(f"banks[{i}].content.{format_path(first['loc'])}", first["msg"]) from None
        if (bank.id, bank.version) != (exported.id, exported.version) or bank_content_hash(
            bank
        ) != exported.content_hash:
            raise fail(f"banks[{i}]", "the bank snapshot does not match its id, version or hash")
        if (bank.id, bank.version) in banks:
            raise fail(f"banks[{i}]", f"bank {bank.id} {bank.version} is listed twice")
        banks[(bank.id, bank.version)] = bank
    return banks


def _unique(rows: list[Any], spec: RowsSpec, column: str, where: str, fail: Any) -> None:
    """The table's unique key within its parent: a repeated value is refused with its row."""
    index = spec.names.index(column)
    seen: set[Any] = set()
    for n, row in enumerate(rows):
        if row[index] in seen:
            raise fail(f"{where}.rows[{n}][{index}]", f"{column} {row[index]!r} appears twice")
        seen.add(row[index])


def _check_mappings(block: Any, fail: Any) -> None:
    _unique(block.rows, DORA_MAPPINGS, "name", "dora.saved_mappings", fail)
    content = DORA_MAPPINGS.names.index("content")
    for n, row in enumerate(block.rows):
        try:
            parse_mapping(row[content], "mapping")
        except DoraImportError as exc:
            raise fail(
                f"dora.saved_mappings.rows[{n}][{content}]",
                "; ".join((f"{p.column}: " if p.column else "") + p.message for p in exc.problems[:3]),
            ) from None


def _check_members(members: list[BundleMember], fail: Any) -> None:
    seen: set[str] = set()
    for i, m in enumerate(members):
        try:
            cleaned = clean_email(m.email)
        except FoundationsError as exc:
            raise fail(f"memberships[{i}].email", str(exc)) from None
        if cleaned != m.email:
            raise fail(f"memberships[{i}].email", f"expected the address in lower case without spaces: {cleaned!r}")
        if m.email in seen:
            raise fail(f"memberships[{i}].email", f"{m.email} is listed twice")
        seen.add(m.email)


def _check_workshops(
    doc: Bundle, rounds: dict[tuple[str, int], Bank], fail: Any
) -> dict[tuple[int, int, int], list[AnswerValue]]:
    codes: set[str] = set()
    tokens: set[str] = set()
    given: dict[tuple[int, int, int], list[AnswerValue]] = {}
    for w, workshop in enumerate(doc.workshops or []):
        if workshop.join_code in codes:
            raise fail(f"workshops[{w}].join_code", "two workshops have this join code")
        codes.add(workshop.join_code)
        teams: set[str] = set()
        for t, team in enumerate(workshop.teams):
            where = f"workshops[{w}].teams[{t}]"
            bank = rounds.get((team.team, team.round_number))
            if bank is None:
                raise fail(where, f"{team.team!r} has no round {team.round_number} in teams")
            if team.team in teams:
                raise fail(f"{where}.team", f"{team.team!r} takes part twice")
            teams.add(team.team)
            questions = bank.questions_by_key()
            for p, person in enumerate(team.participants):
                if person.token_sha256 in tokens:
                    raise fail(f"{where}.participants[{p}].token_sha256", "two participants have this token")
                tokens.add(person.token_sha256)
                given[(w, t, p)] = _checked_given(person.answers, questions, f"{where}.participants[{p}]", fail)
    return given


def _checked_given(
    answers: list[BundleParticipantAnswer], questions: dict[str, Any], where: str, fail: Any
) -> list[AnswerValue]:
    values: list[AnswerValue] = []
    seen: set[str] = set()
    for n, a in enumerate(answers):
        if a.question_key not in questions:
            raise fail(f"{where}.answers[{n}]", f"unknown question key {a.question_key!r}")
        if a.question_key in seen:
            raise fail(f"{where}.answers[{n}]", f"{a.question_key} is answered twice")
        seen.add(a.question_key)
        try:
            values.append(
                check_answer(questions[a.question_key], AnswerValue(AnswerStatus(a.status), a.value, a.reason, a.note))
            )
        except InvalidAnswerError as exc:
            raise fail(f"{where}.answers[{n}]", str(exc)) from None
    return values
