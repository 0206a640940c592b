"""The shipped question banks keep every invariant, and broken banks are refused precisely.

The invariants are checked here independently of `bank_issues`, so a bug in the
checker cannot hide a bug in the bank. Both shipped banks are checked: bank 2 (the
default, measured deciding tests) and bank 1 (kept for rounds answered against it).
Broken banks are copies of the shipped YAML with one thing changed; each must fail
`foundations questions check` with the file, the line that holds the problem and its
YAML path.
"""

from __future__ import annotations

import copy
import graphlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.bank.checks import bank_issues
from assessment.bank.loader import BankError, default_bank_path, parse_bank_text
from assessment.bank.model import CONTEXT, MAX_LEVEL, AnswerType, Bank, ChoiceOption, LevelOption
from cli import main as cli
from tests.support.banks import bank_v1, bank_v1_path

PRODUCT_ORDER = [
    "failure_isolation",
    "incident_observability",
    "rollback_speed",
    "oncall_runbooks",
    "postmortem_practice",
]
CONTEXT_QUESTIONS = ["ctx_deploys_per_week", "ctx_approval", "ctx_services", "ctx_architecture", "ctx_chaos"]
ISSUE_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>\S+): (?P<message>.+)$")


@pytest.fixture
def shipped(request: pytest.FixtureRequest, bank: Bank) -> Bank:
    return bank if request.param == "bank 2" else bank_v1()


# --- the shipped banks ----------------------------------------------------------------------


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_foundations_are_the_five_in_product_order(shipped: Bank) -> None:
    assert [f.key for f in shipped.foundations] == PRODUCT_ORDER
    assert all(f.title and f.summary and f.deciding_test for f in shipped.foundations)


def test_bank_2_decides_each_foundation_by_measured_checks(bank: Bank) -> None:
    """Every foundation has 5 to 10 scored questions (the brief's "roughly 5-8", plus what the gaps called for),
    measured checks on its own questions that cannot be skipped, and no self-rated gate question."""
    assert bank.version.startswith("2.")
    for foundation in bank.foundations:
        questions = [q for q in bank.questions if q.foundation == foundation.key]
        assert 5 <= len(questions) <= 10, foundation.key
        assert not [q.key for q in questions if q.gate], foundation.key
        assert foundation.gate, foundation.key
        own = {q.key: q for q in questions}
        for check in foundation.gate:
            assert check.question in own, (foundation.key, check.question)
            assert not own[check.question].allow_not_applicable, f"gate input {check.question} must not be skippable"
            assert check.needs.strip(), (foundation.key, check.question)
            assert check.source.strip(), (foundation.key, check.question)
            assert len(check.comparisons()) == 1, (foundation.key, check.question)
        assert foundation.proof, foundation.key
        assert set(foundation.proof) <= set(own), foundation.key
        assert foundation.discover is not None, foundation.key
        assert 1 <= foundation.discover.days <= 5, foundation.key
        assert foundation.exposure_risk, foundation.key
    assert sorted(bank.sequence) == sorted(PRODUCT_ORDER)
    assert bank.sequence[0] == "oncall_runbooks"  # ownership before anything that needs an owner
    assert bank.sequence.index("oncall_runbooks") < bank.sequence.index("postmortem_practice")


def test_bank_2_thresholds_are_the_documented_ones(bank: Bank) -> None:
    """docs/METHOD.md states each threshold in words; the bank holds them as data. They must agree."""

    def limits(foundation: str) -> list[tuple[str, str, object]]:
        return [
            (c.question, used, getattr(c, used)) for c in bank.foundation(foundation).gate for used in c.comparisons()
        ]

    assert limits("failure_isolation") == [
        ("fi_kill_tested_share", "at_least", 80),
        ("fi_template_defaults", "equals", True),
    ]
    assert limits("incident_observability") == [
        ("io_diagnosis_minutes_worst", "at_most", 15),
        ("io_host_access_last_three", "equals", False),
    ]
    assert limits("rollback_speed") == [
        ("rb_last_rollback_minutes", "at_most", 5),
        ("rb_last_rollback_minutes", "below", "rb_deploy_minutes"),
        ("rb_days_since_rehearsal", "at_most", 90),
        ("rb_one_step_share", "at_least", 90),
    ]
    assert limits("oncall_runbooks") == [
        ("oc_owned_services_share", "at_least", 100),
        ("oc_runbook_services_share", "at_least", 80),
        ("oc_pager_carrier", "one_of", ["owning_team"]),
    ]
    assert limits("postmortem_practice") == [
        ("pm_postmortems_written", "at_least", 3),
        ("pm_actions_on_track", "at_least", 90),
        ("pm_blame", "one_of", ["system"]),
    ]
    assert bank.bank.proof_days == 90
    assert bank.foundation("oncall_runbooks").proof_days == 180
    requires = {e.key: [e.requires[f] for f in PRODUCT_ORDER] for e in bank.end_states}
    assert requires == {
        "deployment_autonomy": [3, 3, 3, 3, 2],
        "microservices": [3, 3, 3, 3, 3],
        "chaos_experiments": [4, 4, 3, 3, 3],
    }


def test_bank_2_context_questions_are_asked_and_never_scored(bank: Bank) -> None:
    context = bank.context_questions()
    assert [q.key for q in context] == CONTEXT_QUESTIONS
    for q in context:
        assert not q.gate, q.key
        assert not q.triggers, q.key
        assert not q.scored, q.key
        assert q.type is not AnswerType.LEVEL, q.key
        assert "Not scored." in q.help, q.key
    exposures = {e.key: e for e in bank.exposures}
    assert set(exposures) == {
        "frequent_deploys",
        "no_approval",
        "many_services",
        "services_architecture",
        "chaos_running",
    }
    assert {e.question for e in exposures.values()} == set(CONTEXT_QUESTIONS)
    assert exposures["frequent_deploys"].dora_per_week_at_least == 5
    assert {e.key: e.already for e in bank.end_states} == {
        "deployment_autonomy": ["no_approval"],
        "microservices": ["many_services", "services_architecture"],
        "chaos_experiments": ["chaos_running"],
    }


def test_bank_1_keeps_one_self_rated_gate_question_per_foundation() -> None:
    old = bank_v1()
    assert old.version == "1.0.0"
    assert not old.measured
    assert not old.exposures
    assert not old.context_questions()
    for foundation in old.foundations:
        questions = [q for q in old.questions if q.foundation == foundation.key]
        assert 5 <= len(questions) <= 8, foundation.key
        gates = [q for q in questions if q.gate]
        assert len(gates) == 1, foundation.key
        assert not gates[0].allow_not_applicable, f"gate {gates[0].key} must not be skippable"


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_keys_are_unique_in_every_section(shipped: Bank) -> None:
    for section in ("foundations", "questions", "investments", "end_states", "exposures"):
        keys = [item.key for item in getattr(shipped, section)]
        assert len(keys) == len(set(keys)), section
    for q in shipped.questions:
        option_keys = [o.key for o in q.options or [] if isinstance(o, ChoiceOption)]
        assert len(option_keys) == len(set(option_keys)), q.key


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_every_reference_resolves(shipped: Bank) -> None:
    foundations = {f.key for f in shipped.foundations}
    investments = {i.key for i in shipped.investments}
    questions = shipped.questions_by_key()
    for q in shipped.questions:
        assert q.foundation in foundations | {CONTEXT}, q.key
        assert set(q.triggers) <= investments, q.key
    for inv in shipped.investments:
        assert inv.foundation in foundations, inv.key
        assert set(inv.prerequisites) <= investments, inv.key
        assert set(inv.after_foundations) <= foundations, inv.key
    for end_state in shipped.end_states:
        assert set(end_state.requires) <= foundations, end_state.key
        assert all(0 <= level <= MAX_LEVEL for level in end_state.requires.values()), end_state.key
        assert set(end_state.already) <= {e.key for e in shipped.exposures}, end_state.key
    for exposure in shipped.exposures:
        assert questions[exposure.question].foundation == CONTEXT, exposure.key
        assert set(exposure.protects) <= foundations, exposure.key
    for foundation in shipped.foundations:
        for check in foundation.gate:
            assert check.below is None or questions[check.below].type is AnswerType.NUMBER
            options = {o.key for o in questions[check.question].options or [] if isinstance(o, ChoiceOption)}
            assert set(check.one_of or []) <= options, check.question


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_every_question_is_complete_for_its_type(shipped: Bank) -> None:
    """Scored questions carry what scores them; context questions only what describes the answer."""
    for q in shipped.questions:
        assert q.text.strip(), q.key
        assert q.help.strip(), q.key
        assert q.short.strip(), q.key
        assert all(o.text.strip() for o in q.options or []), q.key
        if q.type is AnswerType.LEVEL:
            assert all(isinstance(o, LevelOption) for o in q.options or []), q.key
            assert [o.level for o in q.options or [] if isinstance(o, LevelOption)] == list(range(MAX_LEVEL + 1)), q.key
        elif q.type is AnswerType.CHOICE:
            assert len(q.options or []) >= 2
            assert all(isinstance(o, ChoiceOption) for o in q.options or [])
            scores = [o.score for o in q.options or [] if isinstance(o, ChoiceOption)]
            assert all(s is not None for s in scores) if q.scored else all(s is None for s in scores), q.key
        elif q.type is AnswerType.YES_NO:
            assert (q.good_answer is not None) is q.scored, q.key
        else:
            assert q.number is not None, q.key
            assert q.number.unit.strip(), q.key
            assert bool(q.number.bands) is q.scored, q.key


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_every_investment_is_triggered_by_some_question(shipped: Bank) -> None:
    triggered = {t for q in shipped.questions for t in q.triggers}
    assert {i.key for i in shipped.investments} - triggered == set()


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_prerequisites_have_no_cycle(shipped: Bank) -> None:
    graph = {i.key: set(i.prerequisites) for i in shipped.investments}
    order = list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert set(order) == set(graph)


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_end_states_are_the_three_steps(shipped: Bank) -> None:
    assert {e.key for e in shipped.end_states} == {"deployment_autonomy", "microservices", "chaos_experiments"}
    for end_state in shipped.end_states:
        assert set(end_state.requires) == set(PRODUCT_ORDER), end_state.key


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_measured_values_are_asked_where_the_brief_needs_them(shipped: Bank) -> None:
    numbers = {q.foundation for q in shipped.questions if q.type is AnswerType.NUMBER}
    assert {"incident_observability", "rollback_speed", "oncall_runbooks", "postmortem_practice"} <= numbers


@pytest.mark.parametrize("shipped", ["bank 2", "bank 1"], indirect=True)
def test_the_checker_agrees_the_shipped_bank_is_clean(shipped: Bank) -> None:
    assert bank_issues(shipped) == []


def test_questions_check_accepts_the_shipped_banks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["questions", "check"]) == 0
    out, err = capsys.readouterr()
    assert out == f"{default_bank_path()}: ok (foundations 2.1.0: 5 foundations, 47 questions, 22 investments)\n"
    assert err == ""
    assert cli.main(["questions", "check", str(bank_v1_path())]) == 0
    out, err = capsys.readouterr()
    assert "ok (foundations 1.0.0: 5 foundations, 34 questions" in out
    assert err == ""


def test_questions_check_accepts_a_valid_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(_shipped(), sort_keys=False), encoding="utf-8")
    assert cli.main(["questions", "check", str(path)]) == 0
    assert f"{path}: ok" in capsys.readouterr().out


# --- broken banks ---------------------------------------------------------------------------


def _shipped(source: Path | None = None) -> dict[str, Any]:
    data = yaml.safe_load((source or default_bank_path()).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def _at(data: dict[str, Any], section: str, key: str) -> int:
    """Index of the item with this key in a section of the YAML data."""
    return next(n for n, item in enumerate(data[section]) if item["key"] == key)


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    """Run `foundations questions check PATH`; it must fail; return its parsed issue lines."""
    assert cli.main(["questions", "check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert out == ""
    issues = []
    for line in err.splitlines():
        match = ISSUE_LINE.match(line)
        assert match, f"issue line without file:line: path: message -> {line!r}"
        issues.append(match.groupdict())
    assert all(i["file"] == str(path) for i in issues)
    return issues


def _broken(tmp_path: Path, change: Any, source: Path | None = None) -> Path:
    data = _shipped(source)
    change(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000), encoding="utf-8")
    return path


def _line(path: Path, number: str) -> str:
    return path.read_text(encoding="utf-8").splitlines()[int(number) - 1]


def _only(issues: list[dict[str, str]], path: str) -> dict[str, str]:
    found = [i for i in issues if i["path"] == path]
    assert len(found) == 1, issues
    return found[0]


def test_duplicate_question_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index: list[int] = []

    def change(d: dict[str, Any]) -> None:
        index.extend([_at(d, "questions", "fi_instance_kill"), _at(d, "questions", "fi_bulkheads")])
        d["questions"][index[1]]["key"] = "fi_instance_kill"

    path = _broken(tmp_path, change)
    first, second = index
    issue = _only(_check(path, capsys), f"questions[{second}].key")
    assert issue["message"] == f"duplicate key 'fi_instance_kill' (first at questions[{first}])"
    assert "key: fi_instance_kill" in _line(path, issue["line"])


def test_unknown_trigger_investment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        d["questions"][_at(d, "questions", "fi_bulkheads")]["triggers"][0] = "no_such_investment"

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    issue = _only(issues, f"questions[{_at(_shipped(), 'questions', 'fi_bulkheads')}].triggers[0]")
    assert issue["message"] == "unknown investment 'no_such_investment'"
    assert "no_such_investment" in _line(path, issue["line"])


def test_unknown_prerequisite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        d["investments"][2]["prerequisites"][0] = "ghost"

    path = _broken(tmp_path, change)
    issue = _only(_check(path, capsys), "investments[2].prerequisites[0]")
    assert issue["message"] == "unknown prerequisite 'ghost'"
    assert "ghost" in _line(path, issue["line"])


def test_prerequisite_cycle_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        assert d["investments"][0]["key"] == "dependency_map"
        assert d["investments"][1]["prerequisites"] == ["dependency_map"]
        d["investments"][0]["prerequisites"] = [d["investments"][1]["key"]]

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    assert len(issues) == 1
    cycle = "dependency_map -> default_timeouts_and_circuit_breakers -> dependency_map"
    assert issues[0]["message"] == f"prerequisite cycle: {cycle}"
    assert issues[0]["path"] == "investments[0].prerequisites"
    assert _line(path, issues[0]["line"]).strip() == "- default_timeouts_and_circuit_breakers"


def test_longer_prerequisite_cycle_is_named_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        keys = [i["key"] for i in d["investments"]]
        d["investments"][keys.index("dependency_map")]["prerequisites"] = ["bulkheads_and_fallbacks"]

    issues = _check(_broken(tmp_path, change), capsys)
    assert [i["message"] for i in issues] == [
        "prerequisite cycle: dependency_map -> bulkheads_and_fallbacks -> "
        "default_timeouts_and_circuit_breakers -> dependency_map"
    ]


@pytest.mark.parametrize(("question", "option", "text"), [("fi_instance_kill", 2, ""), ("fi_bulkheads", 1, "   ")])
def test_option_without_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], question: str, option: int, text: str
) -> None:
    """Level (fi_instance_kill) and choice (fi_bulkheads) options: one issue at the option's text line."""
    original: list[str] = []
    index = _at(_shipped(), "questions", question)

    def change(d: dict[str, Any]) -> None:
        original.append(d["questions"][index]["options"][option]["text"])
        d["questions"][index]["options"][option]["text"] = text

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    assert len(issues) == 1, issues
    assert issues[0]["path"] == f"questions[{index}].options[{option}].text"
    assert "at least 1 character" in issues[0]["message"]
    assert "text:" in _line(path, issues[0]["line"])
    assert original[0] not in path.read_text(encoding="utf-8")


def test_gate_question_with_unknown_foundation_in_bank_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        assert d["questions"][0]["gate"] is True
        d["questions"][0]["foundation"] = "nowhere"

    path = _broken(tmp_path, change, bank_v1_path())
    issues = _check(path, capsys)
    issue = _only(issues, "questions[0].foundation")
    assert issue["message"] == "unknown foundation 'nowhere'"
    assert "foundation: nowhere" in _line(path, issue["line"])
    lost = _only(issues, "foundations[0].key")
    assert lost["message"] == "needs exactly one gate question (has 0)"


def test_gate_input_with_unknown_foundation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A measured gate input moved to an unknown foundation: the question and the check it leaves behind both say so."""
    index = _at(_shipped(), "questions", "fi_kill_tested_share")

    def change(d: dict[str, Any]) -> None:
        d["questions"][index]["foundation"] = "nowhere"

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    issue = _only(issues, f"questions[{index}].foundation")
    assert issue["message"] == "unknown foundation 'nowhere'"
    assert _line(path, issue["line"]).strip() == "foundation: nowhere"
    check = _only(issues, "foundations[0].gate[0].question")
    assert check["message"] == "'fi_kill_tested_share' belongs to 'nowhere', not 'failure_isolation'"
    assert _line(path, check["line"]).strip() == "- question: fi_kill_tested_share"
    proof = _only(issues, "foundations[0].proof[0]")
    assert proof["message"] == "'fi_kill_tested_share' is not a question of this foundation"


# --- bank 2's method rules: measured checks, proofs, exposures, sequence -----------------------


def _gate(d: dict[str, Any], foundation: str, question: str, n: int = 0) -> dict[str, Any]:
    """The n-th gate check of a foundation on this question."""
    checks = [c for c in d["foundations"][_at(d, "foundations", foundation)]["gate"] if c["question"] == question]
    found: dict[str, Any] = checks[n]
    return found


@pytest.mark.parametrize(
    ("change", "path", "message", "line"),
    [
        pytest.param(
            lambda d: _gate(d, "failure_isolation", "fi_kill_tested_share").update(question="ghost"),
            "foundations[0].gate[0].question",
            "unknown question 'ghost'",
            "- question: ghost",
            id="unknown question",
        ),
        pytest.param(
            lambda d: _gate(d, "failure_isolation", "fi_kill_tested_share").update(
                question="io_diagnosis_minutes_worst"
            ),
            "foundations[0].gate[0].question",
            "'io_diagnosis_minutes_worst' belongs to 'incident_observability', not 'failure_isolation'",
            "- question: io_diagnosis_minutes_worst",
            id="question of another foundation",
        ),
        pytest.param(
            lambda d: _gate(d, "failure_isolation", "fi_template_defaults").update(equals=None, at_least=1),
            "foundations[0].gate[1].at_least",
            "does not fit a yes_no question",
            "at_least: 1",
            id="comparison not fitting a yes/no question",
        ),
        pytest.param(
            lambda d: _gate(d, "oncall_runbooks", "oc_pager_carrier").update(one_of=None, at_most=2),
            "foundations[3].gate[2].at_most",
            "does not fit a choice question",
            "at_most: 2",
            id="comparison not fitting a choice question",
        ),
        pytest.param(
            lambda d: _gate(d, "rollback_speed", "rb_one_step_share").update(equals=True),
            "foundations[2].gate[3]",
            "needs exactly one of at_most, at_least, below, one_of, equals (has 2)",
            "- question: rb_one_step_share",
            id="two comparisons",
        ),
        pytest.param(
            lambda d: _gate(d, "postmortem_practice", "pm_blame")["one_of"].append("nobody"),
            "foundations[4].gate[2].one_of[1]",
            "unknown option 'nobody'",
            "- nobody",
            id="unknown option",
        ),
        pytest.param(
            lambda d: _gate(d, "rollback_speed", "rb_last_rollback_minutes", 1).update(below="rb_rollback_vs_deploy"),
            "foundations[2].gate[1].below",
            "'rb_rollback_vs_deploy' is not a number question",
            "below: rb_rollback_vs_deploy",
            id="below a question that is not a number",
        ),
        pytest.param(
            lambda d: d["foundations"][0]["proof"].__setitem__(0, "io_diagnosis_minutes_worst"),
            "foundations[0].proof[0]",
            "'io_diagnosis_minutes_worst' is not a question of this foundation",
            "- io_diagnosis_minutes_worst",
            id="proof from another foundation",
        ),
        pytest.param(
            lambda d: d["exposures"][_at(d, "exposures", "frequent_deploys")].update(question="rb_deploy_minutes"),
            "exposures[0].question",
            "'rb_deploy_minutes' belongs to 'rollback_speed', not 'context'",
            "question: rb_deploy_minutes",
            id="exposure on a scored question",
        ),
        pytest.param(
            lambda d: d["exposures"][_at(d, "exposures", "no_approval")]["one_of"].append("weekly_board"),
            "exposures[1].one_of[2]",
            "unknown option 'weekly_board'",
            "- weekly_board",
            id="exposure with an unknown option",
        ),
        pytest.param(
            lambda d: d["exposures"][_at(d, "exposures", "many_services")]["protects"].append("uptime"),
            "exposures[2].protects[3]",
            "unknown foundation 'uptime'",
            "- uptime",
            id="exposure protecting an unknown foundation",
        ),
        pytest.param(
            lambda d: d["end_states"][_at(d, "end_states", "microservices")]["already"].append("kubernetes"),
            "end_states[1].already[2]",
            "unknown exposure 'kubernetes'",
            "- kubernetes",
            id="end state with an unknown exposure",
        ),
        pytest.param(
            lambda d: d["investments"][_at(d, "investments", "instance_kill_drill")]["after_foundations"].append(
                "uptime"
            ),
            "investments[3].after_foundations[2]",
            "unknown foundation 'uptime'",
            "- uptime",
            id="investment after an unknown foundation",
        ),
        pytest.param(
            lambda d: d["sequence"].pop(),
            "sequence",
            "must list every foundation exactly once",
            "sequence:\n- oncall_runbooks",
            id="sequence incomplete",
        ),
        pytest.param(
            lambda d: d["sequence"].__setitem__(4, "oncall_runbooks"),
            "sequence",
            "must list every foundation exactly once",
            "sequence:\n- oncall_runbooks",
            id="sequence with a foundation twice",
        ),
    ],
)
def test_method_rules_name_the_problem_and_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, path: str, message: str, line: str
) -> None:
    broken = _broken(tmp_path, change)
    issues = _check(broken, capsys)
    assert [(i["path"], i["message"]) for i in issues] == [(path, message)]
    *before, reported = line.split("\n")  # a list is located at its first item, under its key
    assert _line(broken, issues[0]["line"]).strip() == reported
    for n, expected in enumerate(reversed(before), start=1):
        assert _line(broken, str(int(issues[0]["line"]) - n)).strip() == expected


def test_context_question_cannot_trigger_or_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        d["questions"][_at(d, "questions", "ctx_services")]["triggers"] = ["dependency_map"]

    path = _broken(tmp_path, change)
    index = _at(_shipped(), "questions", "ctx_services")
    issues = _check(path, capsys)
    assert [(i["path"], i["message"]) for i in issues] == [
        (f"questions[{index}]", "a context question is not scored: no gate, no triggers")
    ]
    assert _line(path, issues[0]["line"]).strip() == "- key: ctx_services"


def test_measured_foundation_cannot_also_have_a_gate_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(d: dict[str, Any]) -> None:
        d["questions"][_at(d, "questions", "fi_instance_kill")]["gate"] = True

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    assert [(i["path"], i["message"]) for i in issues] == [
        ("foundations[0].gate", "a foundation with measured gate checks has no gate question")
    ]
    assert _line(path, issues[0]["line"]).strip() == "- question: fi_kill_tested_share"
    assert _line(path, str(int(issues[0]["line"]) - 1)).strip() == "gate:"


def test_duplicate_yaml_mapping_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A repeated key inside one mapping would silently drop a value; it is an error with its path."""
    text = default_bank_path().read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line == "  type: choice\n")
    lines.insert(at + 1, "  type: level\n")
    path = tmp_path / "dup.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    issues = _check(path, capsys)
    assert len(issues) == 1
    assert int(issues[0]["line"]) == at + 2
    assert issues[0]["message"] == "not valid YAML: duplicate key 'type'"
    assert re.fullmatch(r"questions\[\d+\]\.type", issues[0]["path"]), issues[0]
    index = int(issues[0]["path"][len("questions[") :].split("]")[0])
    assert _shipped()["questions"][index]["type"] == "choice"


def test_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = default_bank_path().read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line == "  type: level\n")
    lines[at] = "  type: level: oops\n"
    path = tmp_path / "malformed.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    assert cli.main(["questions", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:{at + 1}: ")
    assert "not valid YAML: mapping values are not allowed" in err  # the rest is worded by the parser
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_several_files_checked_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One bad file does not hide the result of the others; the exit code still says failure."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    assert cli.main(["questions", "check", str(default_bank_path()), str(bad), str(missing)]) == 1
    out, err = capsys.readouterr()
    assert ": ok (" in out
    assert f"{bad}:1: (top level): a bank must be a YAML mapping" in err
    assert f"{missing}: (top level): file not found" in err


def test_parse_bank_text_reports_every_issue_at_once() -> None:
    data = _shipped()
    data["questions"][8]["key"] = data["questions"][5]["key"]
    data["questions"][10]["triggers"] = ["ghost"]
    data["end_states"][0]["requires"]["nowhere"] = 2
    with pytest.raises(BankError) as caught:
        parse_bank_text(yaml.safe_dump(data, sort_keys=False), "edited.yaml")
    issues = {i.path: i for i in caught.value.issues}
    assert set(issues) >= {"questions[8].key", "questions[10].triggers[0]", "end_states[0].requires.nowhere"}
    assert all(i.file == "edited.yaml" and i.line for i in caught.value.issues)
