"""Which team each row goes to: its team column when the file has one, else the team chosen for the import.

Names are matched as everywhere else (exact spelling first, else the one team of that
name in another letter case). A name the organisation does not have is a team to
create, never created here: the import lists it first and creates it only when asked
(`--create-teams`, or confirmed on the page), since a typo, `NA` or a formula string in
a spreadsheet would otherwise become a team unnoticed. A name with a control or
formatting character (a NUL byte, a bidi override) is refused: it would show as a
name it is not.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlmodel import Session, select

from assessment.dora.formats import Kind
from assessment.dora.ingest.crossteam import Matched, listings, match
from assessment.dora.ingest.parsing import ParsedFile
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.models.assessments import Team

NO_TEAM = -(2**62)  # a row with no team: neither its own nor a chosen one


@dataclass(frozen=True)
class Routing:
    """Per file, the team id of every row; a team still to create has id -1 - its index in `new_names`."""

    ids: list[np.ndarray]
    new_names: tuple[str, ...]
    files: list[ParsedFile]  # as given, except changes without a team: one row per team that lists them
    matched: tuple[Matched, ...] = ()

    def team_ids(self) -> list[int]:
        """The existing teams the rows go to."""
        return sorted({int(t) for ids in self.ids for t in np.unique(ids) if t >= 0})


class UnknownTeams(DoraImportError):
    """The files name teams the organisation does not have, and creating them was not asked for."""

    def __init__(self, problems: list[Problem], names: tuple[str, ...]) -> None:
        super().__init__(problems)
        self.names = names


def route(
    session: Session, organisation_id: int, team_id: int | None, files: list[ParsedFile], *, other_teams: bool = True
) -> Routing:
    """Every row's team; DoraImportError for names that cannot be team names.

    With `other_teams`, changes without a team go to the teams whose deployments list them (`crossteam`):
    the deployments of this import, or without any, those stored for the organisation when no team is chosen."""
    known = _Names(session, organisation_id)
    problems: list[Problem] = []
    result: list[np.ndarray] = []
    loose: dict[int, np.ndarray] = {}  # file index -> its rows without a team, for changes matched across teams
    with_deployments = any(f.kind is Kind.DEPLOYMENTS for f in files)
    for index, parsed in enumerate(files):
        names = parsed.table.column("team")
        if parsed.kind is Kind.CHANGES and other_teams and (with_deployments or team_id is None):
            loose[index] = np.asarray(pc.is_null(names).to_numpy(zero_copy_only=False), dtype=bool)
        ids = np.full(parsed.rows, team_id if team_id is not None else NO_TEAM, dtype=np.int64)
        if names.null_count < parsed.rows:
            unique = [n for n in pc.unique(names).to_pylist() if n is not None]
            codes = np.asarray(
                pc.fill_null(pc.index_in(names, value_set=pa.array(unique, pa.string())), -1).to_numpy(
                    zero_copy_only=False
                ),
                dtype=np.int64,
            )
            for code, name in enumerate(unique):
                bad = _bad_character(name)
                if bad is not None:
                    row = int(np.flatnonzero(codes == code)[0])
                    problems.append(
                        Problem(
                            parsed.source,
                            f"the team name holds the invisible character {bad}: retype the name",
                            line=int(parsed.lines[row]),
                            column="team",
                            value=name,
                        )
                    )
            team_of_code = np.array([known.id_of(name) for name in unique], dtype=np.int64)
            present = codes >= 0
            ids[present] = team_of_code[codes[present]]
        problems += [
            Problem(
                parsed.source,
                "no team: give a team column value or choose a team",
                line=int(parsed.lines[row]),
                column="team",
            )
            for row in np.flatnonzero((ids == NO_TEAM) & ~loose.get(index, False))[:20]
        ]
        result.append(ids)
    if problems:
        raise DoraImportError(problems)
    files = list(files)
    matched: list[Matched] = []
    if any(rows.any() for rows in loose.values()):
        listed = listings(session, organisation_id, files, result, stored=not with_deployments)
        for index, rows in loose.items():
            if rows.any():
                files[index], result[index], report = match(files[index], result[index], rows, listed, team_id)
                matched.append(report)
    return Routing(result, tuple(known.new), files, tuple(matched))


def unknown_teams(routing: Routing) -> UnknownTeams:
    """The refusal of names the organisation does not have: one problem per name, at its first row."""
    problems = []
    for index, name in enumerate(routing.new_names):
        for parsed, ids in zip(routing.files, routing.ids, strict=True):
            rows = np.flatnonzero(ids == -1 - index)
            if len(rows):
                problems.append(
                    Problem(
                        parsed.source,
                        f"the organisation has no team named {name!r} ({len(rows):,} row(s)): check the spelling, "
                        "or create the team",
                        line=int(parsed.lines[rows[0]]),
                        column="team",
                        value=name,
                    )
                )
                break
    return UnknownTeams(problems, routing.new_names)


def _bad_character(name: str) -> str | None:
    """The first control or formatting character of a name (as U+XXXX), or None."""
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf"):
            return f"U+{ord(char):04X}"
    return None


class _Names:
    """The organisation's team names, and the new ones met so far (one per spelling that ignores case)."""

    def __init__(self, session: Session, organisation_id: int) -> None:
        rows = session.exec(select(Team.id, Team.name).where(Team.organisation_id == organisation_id)).all()
        self.exact = {name: int(tid or 0) for tid, name in rows}
        self.folded: dict[str, list[int]] = {}
        for tid, name in rows:
            self.folded.setdefault(name.lower(), []).append(int(tid or 0))
        self.new: list[str] = []
        self.new_folded: dict[str, int] = {}

    def id_of(self, name: str) -> int:
        name = name.strip()
        if name in self.exact:
            return self.exact[name]
        same = self.folded.get(name.lower(), [])
        if len(same) == 1:
            return same[0]
        if name.lower() not in self.new_folded:  # two teams differing in case only: none is guessed, a new one is asked
            self.new_folded[name.lower()] = len(self.new)
            self.new.append(name)
        return -1 - self.new_folded[name.lower()]


def only_chosen(session: Session, routing: Routing, files: list[ParsedFile], team_id: int) -> None:
    """Refuse rows whose team column names another team than the one the import is for, naming each one."""
    chosen = session.exec(select(Team.name).where(Team.id == team_id)).one()
    problems: list[Problem] = []
    for parsed, ids in zip(files, routing.ids, strict=True):
        others = np.flatnonzero(ids != team_id)
        if not len(others):
            continue
        names = parsed.table.column("team").take(pa.array(others)).to_pylist()
        first: dict[str, int] = {}
        count: dict[str, int] = {}
        for row, name in zip(others, names, strict=True):
            first.setdefault(name, int(row))
            count[name] = count.get(name, 0) + 1
        problems += [
            Problem(
                parsed.source,
                f"{count[name]:,} row(s) are for team {name!r}, but this import is for team {chosen!r} only: "
                "import them for their own team, or take them out",
                line=int(parsed.lines[row]),
                column="team",
                value=name,
            )
            for name, row in first.items()
        ]
    if problems:
        raise DoraImportError(problems)
