"""Filter, sort and page the portfolio's team rows: plain functions the page and the PDF share."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assessment.core.errors import FoundationsError
from assessment.portfolio.data import Portfolio, TeamRow

SORTS: dict[str, str] = {
    "team": "Team name",
    "overall": "Overall score",
    "movement": "Movement since previous round",
    "ready": "End states ready",
    "high_risks": "High risks",
}
FOUNDATION_SORT = "foundation:"  # + foundation key: sort by that foundation's score


@dataclass(frozen=True)
class TeamFilter:
    """Which teams to show. Empty fields filter nothing."""

    name: str = ""
    end_state: str | None = None
    ready: bool | None = None  # with end_state: only ready (True) or only not ready (False) teams
    foundation: str | None = None
    below_level: int | None = None  # with foundation: only teams whose level is lower than this

    def matches(self, row: TeamRow) -> bool:
        if self.name and self.name.strip().casefold() not in row.team.casefold():
            return False
        if self.end_state and self.ready is not None and row.ready.get(self.end_state, False) != self.ready:
            return False
        if self.foundation and self.below_level is not None:
            cell = row.cells.get(self.foundation)
            if cell is None or cell.level >= self.below_level:
                return False
        return True


def filter_teams(portfolio: Portfolio, team_filter: TeamFilter) -> list[TeamRow]:
    return [row for row in portfolio.teams if team_filter.matches(row)]


def sort_key(name: str) -> Callable[[TeamRow], Any]:
    """The key function of a sort name; missing values sort as lowest."""
    if name.startswith(FOUNDATION_SORT):
        foundation = name.removeprefix(FOUNDATION_SORT)
        return lambda r: r.cells[foundation].score if foundation in r.cells else -1
    keys: dict[str, Callable[[TeamRow], Any]] = {
        "team": lambda r: r.team.casefold(),
        "overall": lambda r: r.overall,
        "movement": lambda r: r.movement if r.movement is not None else -math.inf,
        "ready": lambda r: r.ready_count,
        "high_risks": lambda r: r.high_risks,
    }
    if name not in keys:
        raise FoundationsError(f"unknown sort {name!r}: use one of {', '.join(SORTS)} or foundation:KEY")
    return keys[name]


def sort_teams(rows: Sequence[TeamRow], by: str = "team", descending: bool = False) -> list[TeamRow]:
    """Rows sorted by one key, ties always by team name (ascending)."""
    ordered = sorted(rows, key=lambda r: r.team.casefold())
    return sorted(ordered, key=sort_key(by), reverse=descending)


def page_count(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


def page(rows: Sequence[TeamRow], number: int, size: int) -> list[TeamRow]:
    """Page `number` (1-based, clamped to the pages there are) of `size` rows."""
    number = min(max(1, number), page_count(len(rows), size))
    return list(rows[(number - 1) * size : number * size])
