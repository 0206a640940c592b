"""What the user types on the command line, read the same way by every command group: ids, dates, names, files.

Two kinds of check live here. The `type=` functions run while argparse reads the line:
a refused value is a usage error (exit 2, argparse's one line naming the argument).
The others run inside a command: a refused name or file is a `FoundationsError`
(exit 1, one line `error: ...`). The messages are part of the interface; scripts
and the tests match them word for word.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from assessment.core.errors import FoundationsError, NotFoundError

# --- values argparse reads (exit 2) ------------------------------------------------------------------------------


def assessment_id(text: str) -> int:
    """ASSESSMENT_ID of `score`, `roadmap`, `report` and `export`: a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an assessment id (a whole number), got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive assessment id, got {text!r}")
    return value


def positive_id(noun: str) -> Callable[[str], int]:
    """A `type=` for the ids of `round` ("an assessment id") and `workshop` ("a workshop id"): ASCII digits, 1 or more.

    Their one message differs in wording from `assessment_id`'s two; both stay as they were.
    """

    def parse(text: str) -> int:
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"expected {noun} (a positive whole number), got {text!r}")
        return int(text)

    return parse


def iso_date(text: str) -> date:
    """A day written as 2024-05-31 (`dora metrics --since/--until`)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date such as 2024-05-31, got {text!r}") from None


def bank_name(text: str) -> tuple[str, str | None]:
    """A published bank as `questions published` lists it: ID (its newest publication) or ID@VERSION."""
    bank_id, _, version = text.partition("@")
    if not bank_id:
        raise argparse.ArgumentTypeError(f"expected a bank as ID or ID@VERSION, got {text!r}")
    return bank_id, version or None


# --- names and files, checked when the command runs (exit 1) -----------------------------------------------------


def no_organisation(name: str, create_option: str | None = None) -> NotFoundError:
    """The error for an --org that names no organisation, pointing at the option that would create it, if any."""
    hint = f" (add {create_option} to create it)" if create_option else ""
    return NotFoundError(f"no organisation named {name!r}{hint}")


def read_data_file(path: str) -> Any:
    """A YAML or JSON file the user names (JSON is YAML too); a problem is one line with the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FoundationsError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise FoundationsError(f"{path}: not UTF-8 text") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        raise FoundationsError(f"{where}: not valid YAML or JSON: {getattr(exc, 'problem', exc)}") from None


def output_file(path: str) -> Path:
    """The file -o names, once its folder is known to exist: checked before a report spends seconds on layout."""
    target = Path(path)
    if not target.parent.is_dir():
        raise FoundationsError(f"{path}: folder {str(target.parent)!r} does not exist")
    return target
