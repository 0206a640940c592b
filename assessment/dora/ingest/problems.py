"""Import problems: each names the file, the line a spreadsheet would show, the column and the value."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.core.errors import FoundationsError

SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file; `line` is None for whole-file problems.

    `column` is the canonical column (`deployed_at`), `header` the file's own name for it
    (`Finished At`): the user finds the cell by the header and reads the docs by the column.
    """

    source: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    record: bool = False  # True for JSON: `line` then counts records, not text lines
    header: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", {'record' if self.record else 'line'} {self.line}"
        if self.where_column:
            where += f", column {self.where_column}"
        shown = "" if self.value is None else f" (value {_clip(self.value)!r})"
        return f"{where}: {self.message}{shown}"

    @property
    def where_column(self) -> str:
        """`'Finished At' (deployed_at)`, or just `'deployed_at'` when the file uses the canonical name."""
        named = self.header or self.column
        if named is None:
            return ""
        if self.column and self.header and self.header != self.column:
            return f"{named!r} ({self.column})"
        return repr(named)

    @property
    def skippable(self) -> bool:
        """Row problems can be skipped on request; whole-file problems cannot."""
        return self.line is not None


def _clip(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class DoraImportError(FoundationsError):
    """The import was refused; nothing was saved. `problems` lists every reason found."""

    def __init__(self, problems: list[Problem], total: int | None = None, *, skip_helps: bool = True) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        self.skip_helps = skip_helps  # False when skipping the invalid rows would leave none (or is not offered)
        more = self.total - 1
        tail = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        super().__init__(f"{problems[0]}{tail}; nothing was imported")

    def lines(self, limit: int = SHOWN_PROBLEMS) -> list[str]:
        """The problems as lines for a terminal or a page, with a note when some are not shown."""
        shown = [str(p) for p in self.problems[:limit]]
        if self.total > len(shown):
            shown.append(f"... and {self.total - len(shown)} more")
        return shown

    @property
    def skippable(self) -> bool:
        """Whether "skip invalid rows" would import something: only row problems, and valid rows besides them."""
        return self.skip_helps and all(p.skippable for p in self.problems)
