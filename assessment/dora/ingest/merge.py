"""Re-importing rows a team already has: merge (the default) or replace, and what either would change.

A file that leaves a column out, or a cell empty, says nothing about that value: in
the default merge the stored value stays. Only an explicit replace lets a re-import
empty a stored value (or set status and environment back to their defaults). Both
count what they would do, so the app and the command line can say it before the
import commits ("19 incidents would lose their resolution time").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlmodel import Session

from assessment.dora.formats import Kind

# stored column -> words for a count ("19 incidents would lose their <words>"), per kind: the values a file may omit
OPTIONAL: dict[Kind, dict[str, str]] = {
    Kind.DEPLOYMENTS: {
        "status": "status",
        "environment": "environment",
        "change_ids": "change list",
        "first_commit_epoch_s": "first commit time",
    },
    Kind.CHANGES: {},
    Kind.INCIDENTS: {
        "resolved_epoch_s": "resolution time",
        "deployment_external_id": "deployment link",
        "change_external_id": "change link",
    },
}
KEY = ("team_id", "external_id")
# stored column -> the value a row gets when neither the file nor the stored row has one
DEFAULTS = {"status": "success", "environment": "production"}


@dataclass(frozen=True)
class FilePlan:
    """What writing one file would do to the rows its teams already have."""

    kind: Kind
    new: int = 0
    updated: int = 0
    emptied: dict[str, int] = field(default_factory=dict)  # replace: stored values the file would empty
    kept: dict[str, int] = field(default_factory=dict)  # merge: stored values kept where the file has none
    changed: dict[str, int] = field(default_factory=dict)  # stored values the file replaces by another value


@dataclass(frozen=True)
class ImportPlan:
    """What an import would change, said before it commits; equal plans mean the same import on the same data."""

    replace: bool
    files: tuple[FilePlan, ...]
    new_teams: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # how changes without a team were matched to teams

    def lines(self) -> list[str]:
        """The plan in sentences, one per line, for a terminal or a page."""
        out: list[str] = []
        if self.new_teams:
            out.append("new teams: " + ", ".join(repr(n) for n in self.new_teams))
        out += self.notes
        for plan in self.files:
            kind = plan.kind.value
            out.append(f"{kind}: {plan.new:,} new, {plan.updated:,} already stored (updated)")
            for column, n in plan.emptied.items():
                out.append(f"{n:,} {kind} would lose their {_words(plan.kind, column, lost=True)}")
            for column, n in plan.kept.items():
                out.append(f"{n:,} {kind} keep their stored {_words(plan.kind, column)} (the file has none)")
            for column, n in plan.changed.items():
                out.append(f"{n:,} {kind} would get another {_words(plan.kind, column)}")
        return out

    @property
    def losses(self) -> int:
        """How many stored values the import would empty (only a replace does)."""
        return sum(sum(p.emptied.values()) for p in self.files)


def _words(kind: Kind, column: str, *, lost: bool = False) -> str:
    words = OPTIONAL[kind][column]
    return f"{words} (set back to {DEFAULTS[column]!r})" if lost and column in DEFAULTS else words


def stored_rows(session: Session, table: sa.Table, kind: Kind, team_ids: list[int]) -> pa.Table:
    """The teams' stored rows: the key and the columns a file may leave empty."""
    names = ["team_id", "external_id", *OPTIONAL[kind]]
    rows = session.execute(sa.select(*(table.c[n] for n in names)).where(table.c.team_id.in_(team_ids))).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.table(
        {name: pa.array(list(values), _type(table, name)) for name, values in zip(names, columns, strict=True)}
    )


def _type(table: sa.Table, name: str) -> pa.DataType:
    return pa.int64() if isinstance(table.c[name].type, sa.Integer) else pa.string()


def complete(data: pa.Table, stored: pa.Table | None, kind: Kind, *, replace: bool) -> tuple[pa.Table, FilePlan]:
    """The rows as they will be stored, and what that changes: empty values filled from the stored row (merge)
    or left empty (replace), then status and environment defaulted."""
    if stored is None or stored.num_rows == 0:
        return _defaults(data), FilePlan(kind, new=data.num_rows)
    optional = list(OPTIONAL[kind])
    right = stored.append_column("_found", pa.array(np.ones(stored.num_rows, dtype=bool)))
    right = right.rename_columns([n if n in (*KEY, "_found") else f"_old_{n}" for n in right.column_names])
    joined = data.join(right, keys=list(KEY), join_type="left outer")
    found = _mask(pc.fill_null(joined["_found"], False))
    emptied: dict[str, int] = {}
    kept: dict[str, int] = {}
    changed: dict[str, int] = {}
    columns = {}
    for name in optional:
        new, old = joined[name], joined[f"_old_{name}"]
        missing = found & _mask(pc.is_null(new)) & _mask(pc.is_valid(old))
        if name in DEFAULTS:
            missing &= _mask(pc.fill_null(pc.not_equal(old, DEFAULTS[name]), False))
        other = found & _mask(pc.fill_null(pc.not_equal(new, old), False))
        _count(changed, name, other)
        _count(kept if not replace else emptied, name, missing)
        columns[name] = new if replace else pc.coalesce(new, old)
    merged = joined.select(data.column_names)
    for name, values in columns.items():
        merged = merged.set_column(merged.column_names.index(name), name, values)
    updated = int(found.sum())
    return _defaults(merged), FilePlan(kind, data.num_rows - updated, updated, emptied, kept, changed)


def _defaults(data: pa.Table) -> pa.Table:
    for name, default in DEFAULTS.items():
        if name in data.column_names:
            at = data.column_names.index(name)
            data = data.set_column(at, name, pc.fill_null(data[name], default))
    return data


def _count(counts: dict[str, int], name: str, mask: np.ndarray) -> None:
    n = int(mask.sum())
    if n:
        counts[name] = n


def _mask(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)
