"""The shipped banks by version: bank 2 is the default; bank 1 stays for rounds answered against it.

Tests of mechanisms that do not depend on the method (storage, exports, workshops,
the portfolio's arithmetic) may pin bank 1 when their expectations are written in its
question keys; tests of the method use the default bank.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from assessment.bank.loader import load_bank
from assessment.bank.model import Bank

BANK_V1_FILE = "foundations-1.yaml"


def bank_v1_path() -> Path:
    return Path(str(resources.files("questions").joinpath(BANK_V1_FILE)))


@lru_cache(maxsize=1)
def bank_v1() -> Bank:
    """Bank 1.0.0, as shipped: one self-rated gate question per foundation."""
    return load_bank(bank_v1_path())


SHIPPED_HEADER = "bank:\n  id: foundations\n  version: 2.1.0\n  title: Foundations Assessment\n"
ROLLBACK_CHECK = "    at_most: 5\n    needs: 5 minutes or less\n"


def adapted_bank_text(version: str = "1.0.0", rollback_minutes: int = 2) -> str:
    """The shipped bank as a consultant adapts it: its own id and title, a stricter rollback threshold.

    A rollback of 3 minutes passes the shipped deciding test (5 minutes or less) and
    fails this one, so a round on it scores the same answers lower.
    """
    text = Path(str(resources.files("questions").joinpath("foundations.yaml"))).read_text(encoding="utf-8")
    assert SHIPPED_HEADER in text, "the shipped bank's header changed: update this helper"
    assert ROLLBACK_CHECK in text, "the shipped rollback threshold changed: update this helper"
    header = f"bank:\n  id: acme\n  version: {version}\n  title: Acme adapted bank\n"
    check = f"    at_most: {rollback_minutes}\n    needs: {rollback_minutes} minutes or less\n"
    return text.replace(SHIPPED_HEADER, header).replace(ROLLBACK_CHECK, check)
