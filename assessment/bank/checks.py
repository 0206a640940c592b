"""The rules that span records of a bank: unique keys, references, option and band shapes, cycles, bank 2's method.

Pydantic checks each record on its own; these rules need the whole bank, and each
returns every problem with its YAML path so a consultant sees them all at once.
"""

from __future__ import annotations

from assessment.bank.model import (
    CONTEXT,
    MAX_LEVEL,
    AnswerType,
    Bank,
    ChoiceOption,
    Condition,
    LevelOption,
    Question,
)

Loc = tuple[int | str, ...]


def bank_issues(bank: Bank) -> list[tuple[Loc, str]]:
    """Every cross-record rule of a bank, as (location, message) pairs."""
    return [
        *_duplicate_keys(bank),
        *_reference_issues(bank),
        *_question_issues(bank),
        *_cycle_issues(bank),
        *_end_state_issues(bank),
        *_method_issues(bank),
    ]


def _duplicate_keys(bank: Bank) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for section in ("foundations", "questions", "investments", "end_states"):
        first: dict[str, int] = {}
        for i, item in enumerate(getattr(bank, section)):
            if item.key in first:
                found.append(
                    (
                        (section, i, "key"),
                        f"duplicate key {item.key!r} (first at {section}[{first[item.key]}])",
                    )
                )
            else:
                first[item.key] = i
    return found


def _reference_issues(bank: Bank) -> list[tuple[Loc, str]]:
    foundations = {f.key for f in bank.foundations}
    investments = {i.key for i in bank.investments}
    found: list[tuple[Loc, str]] = []
    for i, q in enumerate(bank.questions):
        if q.foundation not in foundations and q.foundation != CONTEXT:
            found.append((("questions", i, "foundation"), f"unknown foundation {q.foundation!r}"))
        for j, t in enumerate(q.triggers):
            if t not in investments:
                found.append((("questions", i, "triggers", j), f"unknown investment {t!r}"))
    for i, inv in enumerate(bank.investments):
        if inv.foundation not in foundations:
            found.append((("investments", i, "foundation"), f"unknown foundation {inv.foundation!r}"))
        for j, p in enumerate(inv.prerequisites):
            if p not in investments:
                found.append((("investments", i, "prerequisites", j), f"unknown prerequisite {p!r}"))
    return found


def _question_issues(bank: Bank) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for i, q in enumerate(bank.questions):
        found += [(("questions", i, *loc), msg) for loc, msg in _one_question_issues(q)]
    gates: dict[str, int] = {}
    for q in bank.questions:
        gates[q.foundation] = gates.get(q.foundation, 0) + int(q.gate)
    for i, f in enumerate(bank.foundations):
        if f.measured and gates.get(f.key, 0):
            found.append((("foundations", i, "gate"), "a foundation with measured gate checks has no gate question"))
        elif not f.measured and gates.get(f.key, 0) != 1:
            found.append((("foundations", i, "key"), f"needs exactly one gate question (has {gates.get(f.key, 0)})"))
        if not bank.questions_for(f.key):
            found.append((("foundations", i, "key"), "has no questions"))
    return found


def _one_question_issues(q: Question) -> list[tuple[Loc, str]]:
    """Rules that depend on the answer type: the right spec present, and only that one."""
    found: list[tuple[Loc, str]] = []
    expects = {
        AnswerType.LEVEL: "options",
        AnswerType.CHOICE: "options",
        AnswerType.YES_NO: "good_answer",
        AnswerType.NUMBER: "number",
    }[q.type]
    for field in ("options", "good_answer", "number"):
        present = getattr(q, field) is not None
        if field == expects and not present and (q.scored or field != "good_answer"):
            found.append(((field,), f"required for a {q.type.value} question"))
        elif field != expects and present:
            found.append(((field,), f"not allowed for a {q.type.value} question"))
    if q.type is AnswerType.LEVEL and q.options is not None:
        found += _level_option_issues(q.options)
    if q.type is AnswerType.CHOICE and q.options is not None:
        found += _choice_option_issues(q.options)
    if q.type is AnswerType.NUMBER and q.number is not None and q.scored:
        found += _band_issues(q)
        if not q.number.bands:
            found.append((("number", "bands"), "a scored number question needs at least one band"))
    if q.type is AnswerType.CHOICE and q.scored and any(getattr(o, "score", 0) is None for o in q.options or []):
        found.append((("options",), "every option of a scored choice question needs a score"))
    if q.gate and q.allow_not_applicable:
        found.append((("allow_not_applicable",), "a gate question cannot be not applicable"))
    if q.risk.high_below > q.risk.medium_below:
        found.append((("risk",), "high_below must not exceed medium_below"))
    return found


def _level_option_issues(options: list[LevelOption] | list[ChoiceOption]) -> list[tuple[Loc, str]]:
    if not all(isinstance(o, LevelOption) for o in options):
        return [(("options",), "level options need `level` and `text` only")]
    levels = [o.level for o in options if isinstance(o, LevelOption)]
    if levels != list(range(MAX_LEVEL + 1)):
        return [(("options",), f"level options must be levels 0..{MAX_LEVEL} in order, got {levels}")]
    return []


def _choice_option_issues(options: list[LevelOption] | list[ChoiceOption]) -> list[tuple[Loc, str]]:
    if not all(isinstance(o, ChoiceOption) for o in options):
        return [(("options",), "choice options need `key`, `text` and `score`")]
    found: list[tuple[Loc, str]] = []
    if len(options) < 2:
        found.append((("options",), "a choice question needs at least two options"))
    seen: set[str] = set()
    for j, o in enumerate(options):
        if isinstance(o, ChoiceOption):
            if o.key in seen:
                found.append((("options", j, "key"), f"duplicate option key {o.key!r}"))
            seen.add(o.key)
    return found


def _band_issues(q: Question) -> list[tuple[Loc, str]]:
    assert q.number is not None
    spec = q.number
    found: list[tuple[Loc, str]] = []
    limits = [b.limit for b in spec.bands]
    ordered = sorted(limits) if spec.better == "lower" else sorted(limits, reverse=True)
    if limits != ordered or len(set(limits)) != len(limits):
        direction = "ascend" if spec.better == "lower" else "descend"
        found.append((("number", "bands"), f"band limits must strictly {direction} when lower/higher is better"))
    scores = [b.score for b in spec.bands] + [spec.otherwise]
    if scores != sorted(scores, reverse=True):
        found.append((("number", "bands"), "band scores must not rise from one band to the next"))
    if spec.maximum is not None and spec.maximum < spec.minimum:
        found.append((("number", "maximum"), "maximum is below minimum"))
    return found


def _cycle_issues(bank: Bank) -> list[tuple[Loc, str]]:
    """Name each prerequisite cycle once, as `a -> b -> a`."""
    graph = {i.key: list(i.prerequisites) for i in bank.investments}
    index = {i.key: n for n, i in enumerate(bank.investments)}
    found: list[tuple[Loc, str]] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    found.append(
                        (
                            ("investments", index[nxt], "prerequisites"),
                            "prerequisite cycle: " + " -> ".join(cycle),
                        )
                    )
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for key in graph:
        if key not in state:
            visit(key, [key])
    return found


def _end_state_issues(bank: Bank) -> list[tuple[Loc, str]]:
    foundations = {f.key for f in bank.foundations}
    found: list[tuple[Loc, str]] = []
    for i, es in enumerate(bank.end_states):
        for fkey, level in es.requires.items():
            if fkey not in foundations:
                found.append((("end_states", i, "requires", fkey), f"unknown foundation {fkey!r}"))
            elif not 0 <= level <= MAX_LEVEL:
                found.append((("end_states", i, "requires", fkey), f"level must be 0..{MAX_LEVEL}"))
    return found


def _method_issues(bank: Bank) -> list[tuple[Loc, str]]:
    """Bank 2's measured gates, proofs, exposures and sequence: every reference resolves and fits its type."""
    found: list[tuple[Loc, str]] = []
    questions = bank.questions_by_key()
    foundations = {f.key for f in bank.foundations}
    for i, q in enumerate(bank.questions):
        if q.foundation == CONTEXT and (q.gate or q.triggers):
            found.append((("questions", i), "a context question is not scored: no gate, no triggers"))
    for i, f in enumerate(bank.foundations):
        for j, check in enumerate(f.gate):
            found += [
                (("foundations", i, "gate", j, *loc), msg)
                for loc, msg in _condition_issues(check, questions, own=f.key)
            ]
        for j, key in enumerate(f.proof):
            if key not in questions or questions[key].foundation != f.key:
                found.append((("foundations", i, "proof", j), f"{key!r} is not a question of this foundation"))
    exposure_keys = {e.key for e in bank.exposures}
    for i, e in enumerate(bank.exposures):
        found += [(("exposures", i, *loc), msg) for loc, msg in _condition_issues(e, questions, own=CONTEXT)]
        found += [
            (("exposures", i, "protects", j), f"unknown foundation {k!r}")
            for j, k in enumerate(e.protects)
            if k not in foundations
        ]
    for i, es in enumerate(bank.end_states):
        found += [
            (("end_states", i, "already", j), f"unknown exposure {k!r}")
            for j, k in enumerate(es.already)
            if k not in exposure_keys
        ]
    for i, inv in enumerate(bank.investments):
        found += [
            (("investments", i, "after_foundations", j), f"unknown foundation {k!r}")
            for j, k in enumerate(inv.after_foundations)
            if k not in foundations
        ]
    if bank.sequence and sorted(bank.sequence) != sorted(foundations):
        found.append((("sequence",), "must list every foundation exactly once"))
    return found


def _condition_issues(cond: Condition, questions: dict[str, Question], own: str) -> list[tuple[Loc, str]]:
    """One comparison, on a question of the right foundation, that fits the question's answer type."""
    q = questions.get(cond.question)
    if q is None:
        return [(("question",), f"unknown question {cond.question!r}")]
    if q.foundation != own:
        return [(("question",), f"{cond.question!r} belongs to {q.foundation!r}, not {own!r}")]
    used = cond.comparisons()
    if len(used) != 1:
        return [((), f"needs exactly one of at_most, at_least, below, one_of, equals (has {len(used)})")]
    allowed = {
        AnswerType.NUMBER: {"at_most", "at_least", "below"},
        AnswerType.CHOICE: {"one_of"},
        AnswerType.YES_NO: {"equals"},
        AnswerType.LEVEL: {"at_least", "at_most"},
    }[q.type]
    if used[0] not in allowed:
        return [((used[0],), f"does not fit a {q.type.value} question")]
    if cond.one_of is not None:
        keys = {o.key for o in q.options or [] if isinstance(o, ChoiceOption)}
        return [(("one_of", j), f"unknown option {k!r}") for j, k in enumerate(cond.one_of) if k not in keys]
    if cond.below is not None:
        other = questions.get(cond.below)
        if other is None or other.type is not AnswerType.NUMBER:
            return [(("below",), f"{cond.below!r} is not a number question")]
    return []
