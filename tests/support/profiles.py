"""The golden team profiles in tests/method/profiles: prose at the top, answers below.

Evidence dates are written as `${days_ago:N}` so a profile never goes stale: it is
read as the date N days before the test runs.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from assessment.bank.answers import AnswerValue, parse_answer_mapping
from assessment.bank.model import Bank

PROFILES = Path(__file__).resolve().parents[1] / "method" / "profiles"
DAYS_AGO = re.compile(r"\$\{days_ago:(\d+)\}")


def profile_text(name: str, today: date | None = None) -> str:
    """The profile's answers file with every relative date made absolute."""
    today = today or date.today()
    raw = (PROFILES / f"{name}.yaml").read_text(encoding="utf-8")
    return DAYS_AGO.sub(lambda m: (today - timedelta(days=int(m[1]))).isoformat(), raw)


def profile_data(name: str, today: date | None = None) -> dict[str, Any]:
    data = yaml.safe_load(profile_text(name, today))
    assert isinstance(data, dict)
    return data


def profile_answers(bank: Bank, name: str, today: date | None = None) -> dict[str, AnswerValue]:
    return parse_answer_mapping(bank, profile_data(name, today))


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.yaml"))
