"""cli/arguments.py: the values and files every command group reads, with the messages scripts rely on."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest

from assessment.core.errors import FoundationsError, NotFoundError
from cli import main as cli
from cli.arguments import (
    assessment_id,
    iso_date,
    no_organisation,
    output_file,
    positive_id,
    read_data_file,
)

CLI = Path(cli.__file__).parent


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("42", 42), (" 7 ", 7)])
def test_assessment_id_reads_whole_numbers(text: str, value: int) -> None:
    assert assessment_id(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1", "expected an assessment id (a whole number), got 'x1'"),
        ("1.5", "expected an assessment id (a whole number), got '1.5'"),
        ("", "expected an assessment id (a whole number), got ''"),
        ("0", "expected a positive assessment id, got '0'"),
        ("-1", "expected a positive assessment id, got '-1'"),
    ],
)
def test_assessment_id_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        assessment_id(text)
    assert str(caught.value) == message


def test_positive_id_reads_ascii_digits_and_names_the_id() -> None:
    workshop_id = positive_id("a workshop id")
    assert workshop_id("12") == 12
    for text in ("0", "-3", "+3", " 3", "x", "", "٣", "²", "1_0"):
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            workshop_id(text)
        assert str(caught.value) == f"expected a workshop id (a positive whole number), got {text!r}"


def test_iso_date() -> None:
    assert iso_date("2024-05-31") == date(2024, 5, 31)
    for text in ("2024-13-01", "yesterday", "31/05/2024"):
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            iso_date(text)
        assert str(caught.value) == f"expected a date such as 2024-05-31, got {text!r}"


def test_no_organisation_points_at_the_option_that_creates_it() -> None:
    assert isinstance(no_organisation("Acme"), NotFoundError)
    assert str(no_organisation("Acme")) == "no organisation named 'Acme'"
    assert (
        str(no_organisation("Acme", "--create-org")) == "no organisation named 'Acme' (add --create-org to create it)"
    )


def test_read_data_file_reads_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("fi_timeouts: 2\nio_tracing: {dont_know: true}\n", encoding="utf-8")
    (tmp_path / "a.json").write_text('{"fi_timeouts": 2}', encoding="utf-8")
    assert read_data_file(str(tmp_path / "a.yaml")) == {"fi_timeouts": 2, "io_tracing": {"dont_know": True}}
    assert read_data_file(str(tmp_path / "a.json")) == {"fi_timeouts": 2}


def test_read_data_file_problems_are_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("équipe: 1\n".encode("latin-1"))
    (tmp_path / "broken.yaml").write_text("a: 1\nb: [\n", encoding="utf-8")
    cases = {
        "missing.yaml": "missing.yaml: file not found",
        "latin1.yaml": "latin1.yaml: not UTF-8 text",
        "broken.yaml": "broken.yaml:3: not valid YAML or JSON: ",
    }
    for name, start in cases.items():
        with pytest.raises(FoundationsError) as caught:
            read_data_file(str(tmp_path / name))
        message = str(caught.value)
        assert message.startswith(f"{tmp_path}/{start}")
        assert "\n" not in message


def test_output_file_needs_an_existing_folder(tmp_path: Path) -> None:
    assert output_file(str(tmp_path / "r.pdf")) == tmp_path / "r.pdf"
    missing = tmp_path / "nope" / "r.pdf"
    with pytest.raises(FoundationsError) as caught:
        output_file(str(missing))
    assert str(caught.value) == f"{missing}: folder {str(tmp_path / 'nope')!r} does not exist"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "x1"], "argument ASSESSMENT_ID: expected an assessment id (a whole number), got 'x1'"),
        (["round", "compare", "1", "0"], "argument ID_B: expected an assessment id (a positive whole number), got '0'"),
        (["workshop", "close", "²"], "argument WORKSHOP_ID: expected a workshop id (a positive whole number), got '²'"),
        (["dora", "metrics", "--team", "T", "--until", "May"], "argument --until: expected a date such as 2024-05-31"),
    ],
)
def test_refused_values_are_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert message in err.splitlines()[-1]


def test_argument_types_are_written_once() -> None:
    """Command groups import their value parsers from cli/arguments.py instead of writing their own."""
    own = [p.name for p in sorted(CLI.glob("*.py")) if "ArgumentTypeError" in p.read_text(encoding="utf-8")]
    assert own == ["arguments.py"]
