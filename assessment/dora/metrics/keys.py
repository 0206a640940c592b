"""Integer keys for the metrics' group-bys: dense team positions, and one int64 per (team, change id).

Ids are text, so they are turned into numbers once; the rest of the computation is
numpy sorts, binary searches and counts per team over int64 keys, which is what keeps
a million rows under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.formats import ID_SEPARATOR
from assessment.dora.metrics.pool import POOL

ENCODE_BATCH = 100_000  # ids encoded together (whole teams): a hash table that fits in the cache


def ints(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An int64 column without nulls as a numpy array (no copy when it is one chunk)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks(memory_pool=POOL)
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)


def nullable_ints(column: pa.ChunkedArray | pa.Array, fill: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An int64 column as (values with nulls as `fill`, mask of the rows that have a value)."""
    valid = np.asarray(pc.is_valid(column, memory_pool=POOL).to_numpy(zero_copy_only=False), dtype=bool)
    if column.null_count:
        column = pc.coalesce(column, pa.scalar(fill, pa.int64()), memory_pool=POOL)
    return ints(column), valid


class Teams:
    """Team ids to dense positions 0..n-1, so per-team figures are numpy bincounts."""

    def __init__(self, team_ids: list[int]) -> None:
        self.ids = np.unique(np.asarray(team_ids, dtype=np.int64))
        top = int(self.ids[-1]) if len(self.ids) else 0
        self._lookup = np.full(top + 2, -1, dtype=np.int64)  # by id; the last slot for ids beyond the top
        self._lookup[self.ids] = np.arange(len(self.ids))

    @property
    def count(self) -> int:
        return len(self.ids)

    def dense(self, column: pa.ChunkedArray | pa.Array | np.ndarray) -> np.ndarray:
        ids = column if isinstance(column, np.ndarray) else ints(column)
        at: np.ndarray = self._lookup[np.clip(ids, 0, len(self._lookup) - 1)]
        if len(at) and at.min() < 0:
            raise ValueError("rows of a team that was not asked for")
        return at

    def position(self, team: int) -> int:
        return int(self._lookup[team])

    def per_team(self, dense: np.ndarray) -> np.ndarray:
        return np.bincount(dense, minlength=self.count)


def sorted_by(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """An order that sorts by (group, value), both int64; rows equal in both come in any order.

    One int64 key (group times the value span, plus the value) sorts several times faster
    than np.lexsort; data whose key would not fit takes lexsort.
    """
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(value.min())
    span = int(value.max()) - low + 1
    if (int(group.max()) + 1) * span < 2**62 and int(group.min()) >= 0:
        return np.argsort(group * span + (value - low))
    return np.lexsort((value, group))


@dataclass(frozen=True)
class ChangeKeys:
    """One int64 key per (team, change id): team times `width` plus the id's code within its team.

    `pairs` are the (deployment, change id) pairs of the window's deployments that list changes.
    """

    width: int
    pair_ids: pa.Array  # the change id of each pair
    pair_rows: np.ndarray  # its deployment (row of in_window)
    pair_keys: np.ndarray
    change_keys: np.ndarray  # one per row of the changes data
    incident_keys: np.ndarray  # one per incident; -1 without a change id

    @classmethod
    def build(cls, teams: Teams, in_window: pa.Table, changes: pa.Table, incidents: pa.Table) -> ChangeKeys:
        lists = in_window["change_ids"].combine_chunks(memory_pool=POOL)
        split = pc.split_pattern(lists, ID_SEPARATOR, memory_pool=POOL)
        pair_rows = np.asarray(
            pc.list_parent_indices(split, memory_pool=POOL).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        pair_ids = pc.list_flatten(split, memory_pool=POOL)
        named = [
            pair_ids,
            changes["external_id"].combine_chunks(memory_pool=POOL),
            incidents["change_id"].combine_chunks(memory_pool=POOL),
        ]
        owners = np.concatenate(
            [
                teams.dense(in_window["team_id"])[pair_rows],
                teams.dense(changes["team_id"]),
                teams.dense(incidents["team_id"]),
            ]
        )
        codes, width = _codes_by_team(
            pa.concat_arrays([a.cast(pa.string()) for a in named], memory_pool=POOL), owners, teams.count
        )
        keys = np.where(codes >= 0, owners * width + codes, -1)
        pair_keys, change_keys, incident_keys = np.split(keys, np.cumsum([len(a) for a in named])[:2])
        return cls(width, pair_ids, pair_rows, pair_keys, change_keys, incident_keys)


def _codes_by_team(texts: pa.Array, owners: np.ndarray, teams: int) -> tuple[np.ndarray, int]:
    """A code per text, equal for equal texts of one team (-1 for null), and a bound on the codes.

    The texts are dictionary-encoded a batch of whole teams at a time: small hash tables stay in
    the processor's cache, about three times faster than one table for two million ids.
    """
    order = np.argsort(owners, kind="stable")
    grouped = pc.take(texts, pa.array(order), memory_pool=POOL)
    ends = np.searchsorted(owners[order], np.arange(1, teams + 1))
    codes = np.empty(len(texts), dtype=np.int64)
    width, start = 1, 0
    for end in ends[np.append(np.diff(ends // ENCODE_BATCH) > 0, True)] if len(ends) else []:
        if end == start:
            continue
        encoded = pc.dictionary_encode(grouped.slice(start, end - start), memory_pool=POOL)
        indices = encoded.indices
        if indices.null_count:
            indices = pc.coalesce(indices, pa.scalar(-1, indices.type), memory_pool=POOL)
        codes[order[start:end]] = indices.to_numpy()
        width, start = max(width, len(encoded.dictionary)), end
    if teams * width >= 2**62:
        raise ValueError("too many distinct change ids to key")
    return codes, width
