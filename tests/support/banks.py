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
