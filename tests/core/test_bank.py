"""The shipped question bank keeps every invariant, and broken banks are refused precisely.

The invariants are checked here independently of `bank_issues`, so a bug in the
checker cannot hide a bug in the bank. Broken banks are copies of the shipped YAML
with one thing changed; each must fail `foundations questions check` with the
file, the line that holds the problem and its YAML path.
"""

from __future__ import annotations

import copy
import graphlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.bank.loader import BankError, bank_issues, default_bank_path, parse_bank_text
from assessment.bank.model import MAX_LEVEL, AnswerType, Bank, ChoiceOption, LevelOption
from cli import main as cli

PRODUCT_ORDER = [
    "failure_isolation",
    "incident_observability",
    "rollback_speed",
    "oncall_runbooks",
    "postmortem_practice",
]
ISSUE_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>\S+): (?P<message>.+)$")


# --- the shipped bank -----------------------------------------------------------------------


def test_foundations_are_the_five_in_product_order(bank: Bank) -> None:
    assert [f.key for f in bank.foundations] == PRODUCT_ORDER
    assert all(f.title and f.summary and f.deciding_test for f in bank.foundations)


def test_each_foundation_has_five_to_eight_questions_and_one_gate(bank: Bank) -> None:
    for foundation in bank.foundations:
        questions = [q for q in bank.questions if q.foundation == foundation.key]
        assert 5 <= len(questions) <= 8, foundation.key
        gates = [q for q in questions if q.gate]
        assert len(gates) == 1, foundation.key
        assert not gates[0].allow_not_applicable, f"gate {gates[0].key} must not be skippable"


def test_keys_are_unique_in_every_section(bank: Bank) -> None:
    for section in ("foundations", "questions", "investments", "end_states"):
        keys = [item.key for item in getattr(bank, section)]
        assert len(keys) == len(set(keys)), section
    for q in bank.questions:
        option_keys = [o.key for o in q.options or [] if isinstance(o, ChoiceOption)]
        assert len(option_keys) == len(set(option_keys)), q.key


def test_every_reference_resolves(bank: Bank) -> None:
    foundations = {f.key for f in bank.foundations}
    investments = {i.key for i in bank.investments}
    for q in bank.questions:
        assert q.foundation in foundations, q.key
        assert set(q.triggers) <= investments, q.key
    for inv in bank.investments:
        assert inv.foundation in foundations, inv.key
        assert set(inv.prerequisites) <= investments, inv.key
    for end_state in bank.end_states:
        assert set(end_state.requires) <= foundations, end_state.key
        assert all(0 <= level <= MAX_LEVEL for level in end_state.requires.values()), end_state.key


def test_every_question_is_complete_for_its_type(bank: Bank) -> None:
    for q in bank.questions:
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
        elif q.type is AnswerType.YES_NO:
            assert q.good_answer is not None, q.key
        else:
            assert q.number is not None, q.key
            assert q.number.unit.strip(), q.key
            assert q.number.bands, q.key


def test_every_investment_is_triggered_by_some_question(bank: Bank) -> None:
    triggered = {t for q in bank.questions for t in q.triggers}
    assert {i.key for i in bank.investments} - triggered == set()


def test_prerequisites_have_no_cycle(bank: Bank) -> None:
    graph = {i.key: set(i.prerequisites) for i in bank.investments}
    order = list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert set(order) == set(graph)


def test_end_states_are_the_three_steps(bank: Bank) -> None:
    assert {e.key for e in bank.end_states} == {"deployment_autonomy", "microservices", "chaos_experiments"}
    for end_state in bank.end_states:
        assert set(end_state.requires) == set(PRODUCT_ORDER), end_state.key


def test_measured_values_are_asked_where_the_brief_needs_them(bank: Bank) -> None:
    numbers = {q.foundation for q in bank.questions if q.type is AnswerType.NUMBER}
    assert {"incident_observability", "rollback_speed", "oncall_runbooks", "postmortem_practice"} <= numbers


def test_the_checker_agrees_the_shipped_bank_is_clean(bank: Bank) -> None:
    assert bank_issues(bank) == []


def test_questions_check_accepts_the_shipped_bank(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["questions", "check"]) == 0
    out, err = capsys.readouterr()
    assert "ok (foundations 1.0.0: 5 foundations, 34 questions" in out
    assert err == ""


def test_questions_check_accepts_a_valid_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(_shipped(), sort_keys=False), encoding="utf-8")
    assert cli.main(["questions", "check", str(path)]) == 0
    assert f"{path}: ok" in capsys.readouterr().out


# --- broken banks ---------------------------------------------------------------------------


def _shipped() -> dict[str, Any]:
    data = yaml.safe_load(default_bank_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


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


def _broken(tmp_path: Path, change: Any) -> Path:
    data = _shipped()
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
    def change(d: dict[str, Any]) -> None:
        d["questions"][3]["key"] = d["questions"][0]["key"]

    path = _broken(tmp_path, change)
    issue = _only(_check(path, capsys), "questions[3].key")
    assert issue["message"] == "duplicate key 'fi_instance_kill' (first at questions[0])"
    assert "key: fi_instance_kill" in _line(path, issue["line"])


def test_unknown_trigger_investment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        d["questions"][3]["triggers"][0] = "no_such_investment"

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    issue = _only(issues, "questions[3].triggers[0]")
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


@pytest.mark.parametrize(("question", "option", "text"), [(0, 2, ""), (3, 1, "   ")])
def test_option_without_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], question: int, option: int, text: str
) -> None:
    """Level (question 0) and choice (question 3) options: one issue at the option's text line."""
    original: list[str] = []

    def change(d: dict[str, Any]) -> None:
        original.append(d["questions"][question]["options"][option]["text"])
        d["questions"][question]["options"][option]["text"] = text

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    assert len(issues) == 1, issues
    assert issues[0]["path"] == f"questions[{question}].options[{option}].text"
    assert "at least 1 character" in issues[0]["message"]
    assert "text:" in _line(path, issues[0]["line"])
    assert original[0] not in path.read_text(encoding="utf-8")


def test_gate_question_with_unknown_foundation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: dict[str, Any]) -> None:
        assert d["questions"][0]["gate"] is True
        d["questions"][0]["foundation"] = "nowhere"

    path = _broken(tmp_path, change)
    issues = _check(path, capsys)
    issue = _only(issues, "questions[0].foundation")
    assert issue["message"] == "unknown foundation 'nowhere'"
    assert "foundation: nowhere" in _line(path, issue["line"])
    lost = _only(issues, "foundations[0].key")
    assert lost["message"] == "needs exactly one gate question (has 0)"


def test_duplicate_yaml_mapping_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A repeated key inside one mapping would silently drop a value; it is an error with its path."""
    text = default_bank_path().read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith("    type: choice"))
    lines.insert(at + 1, "    type: level\n")
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
    at = next(n for n, line in enumerate(lines) if line.startswith("    type: level"))
    lines[at] = "    type: level: oops\n"
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
    data["questions"][3]["key"] = data["questions"][0]["key"]
    data["questions"][5]["triggers"] = ["ghost"]
    data["end_states"][0]["requires"]["nowhere"] = 2
    with pytest.raises(BankError) as caught:
        parse_bank_text(yaml.safe_dump(data, sort_keys=False), "edited.yaml")
    issues = {i.path: i for i in caught.value.issues}
    assert set(issues) >= {"questions[3].key", "questions[5].triggers[0]", "end_states[0].requires.nowhere"}
    assert all(i.file == "edited.yaml" and i.line for i in caught.value.issues)
