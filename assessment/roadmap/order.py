"""The order of the roadmap: the sequencing model a seasoned SRE would defend (docs/METHOD.md says it in words).

Hard rules, as edges: prerequisites first; a "find out" or "settle" item before any
build of its foundation; an investment with `after_foundations` (failure experiments)
after all the work of those foundations (observability and rollback).

Among the items free to start, the tier decides, then the bank's foundation sequence
(ownership and on-call, rollback, observability, isolation, postmortems), then the
effort (cheap risk reducers first), then the catalogue:

    tier 0  find out / settle: days, and they decide what to build;
    tier 1  deciding-test work of a foundation the team is exposed on (it already
            does what that foundation protects);
    tier 2  deciding-test work of any other foundation whose test is not passed, and
            the dated evidence that shows a passed test still holds (level 4 needs it);
    tier 3  everything else (weak answers elsewhere, delivery-data signals).

A prerequisite takes the most urgent tier of anything that waits on it, so the work
an urgent item needs is never left behind.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from assessment.bank.model import Bank
from assessment.roadmap.select import Kind, Pick

TIER_FIND_OUT, TIER_EXPOSED, TIER_GATE, TIER_REST = 0, 1, 2, 3
EFFORT_RANK = {"S": 0, "M": 1, "L": 2}
BUILDS = (Kind.GATE, Kind.GAP, Kind.EVIDENCE, Kind.PREREQUISITE)


def own_tier(pick: Pick, exposed: Mapping[str, object]) -> int:
    if pick.kind in (Kind.DISCOVER, Kind.SETTLE):
        return TIER_FIND_OUT
    if pick.kind is Kind.PROVE:
        return TIER_GATE  # days of record keeping that show a passed test still holds
    if pick.gate:
        return TIER_EXPOSED if pick.foundation in exposed else TIER_GATE
    return TIER_REST


def edges(picks: Mapping[str, Pick]) -> dict[str, set[str]]:
    """Item -> the items that must come before it."""
    before: dict[str, set[str]] = {k: {p for p in pick.prerequisites if p in picks} for k, pick in picks.items()}
    made = {p.foundation: k for k, p in picks.items() if p.kind in (Kind.DISCOVER, Kind.SETTLE)}
    for key, pick in picks.items():
        if pick.kind in BUILDS and pick.foundation in made:
            before[key].add(made[pick.foundation])
        for foundation in pick.after_foundations:
            before[key] |= {
                k for k, other in picks.items() if other.foundation == foundation and k != key and key not in before[k]
            }
    return before


def tiers(picks: Mapping[str, Pick], before: Mapping[str, set[str]], exposed: Mapping[str, object]) -> dict[str, int]:
    """Each item's tier, lowered to the most urgent tier of anything that (transitively) waits on it."""
    tier = {k: own_tier(p, exposed) for k, p in picks.items()}
    changed = True
    while changed:
        changed = False
        for key, needs in before.items():
            for need in needs:
                if tier[need] > tier[key]:
                    tier[need] = tier[key]
                    changed = True
    return tier


def order(bank: Bank, picks: Mapping[str, Pick], exposed: Mapping[str, object]) -> tuple[list[str], dict[str, int]]:
    """Kahn's algorithm with the tier and sequence as the choice among items free to start."""
    before = edges(picks)
    tier = tiers(picks, before, exposed)
    catalogue = {inv.key: n for n, inv in enumerate(bank.investments)}

    def rank(key: str) -> tuple[int, int, int, int, str]:
        p = picks[key]
        return (
            tier[key],
            bank.sequence_index(p.foundation),
            EFFORT_RANK.get(p.effort, -1),  # made items (days) before any build
            catalogue.get(key, -1),
            key,
        )

    waiting = {k: set(v) for k, v in before.items()}
    ready = [rank(k) for k, w in waiting.items() if not w]
    heapq.heapify(ready)
    placed: list[str] = []
    while ready:
        key = heapq.heappop(ready)[4]
        placed.append(key)
        for other, needs in waiting.items():
            if key in needs:
                needs.discard(key)
                if not needs:
                    heapq.heappush(ready, rank(other))
    leftover = sorted((k for k in picks if k not in placed), key=rank)  # only a contradictory bank leaves any
    return placed + leftover, tier
