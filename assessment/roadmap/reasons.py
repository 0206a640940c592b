"""Why each roadmap item sits where it does, in words a client can check: no scores, no weights, no tiers.

"You already deploy to production 35 times a week, and rollback time: 35 minutes
(needs 5 minutes or less): every bad deployment stays live until someone undoes it."
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assessment.bank.model import Bank
from assessment.roadmap.select import Kind, Pick, cite
from assessment.scoring.verdicts import ActiveExposure


def reason(
    bank: Bank,
    pick: Pick,
    waiting: Sequence[str],
    exposure: ActiveExposure | None,
    picks: Mapping[str, Pick],
) -> str:
    """One line: why it is on the roadmap, then why it comes when it does."""
    return " ".join(part for part in (_why(bank, pick, waiting, exposure), _when(bank, pick, waiting, picks)) if part)


def _why(bank: Bank, pick: Pick, waiting: Sequence[str], exposure: ActiveExposure | None) -> str:
    title = bank.foundation(pick.foundation).title.lower()
    kind = pick.kind
    if kind is Kind.DISCOVER:
        unknown = "; ".join(pick.open) or "its measured answers"
        return (
            f"Nobody could say whether the deciding test of {title} holds ({unknown}). Find out first: it takes "
            "days, and the answer decides what, if anything, to build."
        )
    if kind is Kind.SETTLE and pick.contest is not None:
        return (
            f"The answers say {pick.contest.claim}; the delivery data shows {pick.contest.figure}. Until dated "
            f"evidence settles it, the deciding test of {title} counts as not passed."
        )
    if kind is Kind.PROVE:
        return (
            f"The answers put {title} at level 4 (proven), but no dated evidence shows its deciding test held "
            "recently, so it counts as level 3 until there is: a record, not a build."
        )
    if kind is Kind.GATE:
        return _gate_why(bank, pick, title, exposure)
    if kind is Kind.CONFIRM:
        shown = "; ".join(cite(q, a) for q, a in pick.in_place[:2])
        if pick.signals:
            return f"The delivery data points here ({pick.signals[0].figure}), but the answers show it in place " + (
                f"({shown}): confirm its exit criterion rather than rebuild it."
            )
        return f"The answers show it in place ({shown}): confirm its exit criterion and move on."
    if kind is Kind.GAP:
        cited = "; ".join(cite(q, a) for q, a in pick.weak[:3])
        more = f" and {len(pick.weak) - 3} more" if len(pick.weak) > 3 else ""
        return f"Weak answers: {cited}{more}."
    if kind is Kind.EVIDENCE:
        return f"The delivery data points here: {'; '.join(s.figure for s in pick.signals)}."
    names = ", ".join(waiting) or "a selected investment"
    return f"Needed before {names}."


def _gate_why(bank: Bank, pick: Pick, title: str, exposure: ActiveExposure | None) -> str:
    failed = "; ".join(dict.fromkeys(pick.failed)) or "; ".join(cite(q, a) for q, a in pick.weak[:3])
    if exposure is not None:
        risk = bank.foundation(pick.foundation).exposure_risk
        tail = f": {risk}" if risk else ""
        return f"You already {exposure.says}, and the deciding test of {title} fails ({failed}){tail}."
    return f"The deciding test of {title} is not passed ({failed}); this is part of passing it."


def _when(bank: Bank, pick: Pick, waiting: Sequence[str], picks: Mapping[str, Pick]) -> str:
    if pick.kind in (Kind.DISCOVER, Kind.SETTLE, Kind.PROVE):
        return ""
    parts = []
    if waiting and pick.kind not in (Kind.PREREQUISITE,):
        parts.append(f"It comes early because {', '.join(waiting)} {'needs' if len(waiting) == 1 else 'need'} it.")
    after = [
        bank.foundation(f).title.lower()
        for f in pick.after_foundations
        if any(p.foundation == f for p in picks.values())
    ]
    if after:
        parts.append(
            f"It waits for the {' and '.join(after)} work: a failure experiment is only safe when its effects "
            "can be seen and undone."
        )
    return " ".join(parts)
