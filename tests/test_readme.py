"""The README is part of the product: every setting it must mention, it mentions."""

from __future__ import annotations

from pathlib import Path

from assessment.core.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        f"FOUNDATIONS_{name.upper()}" for name in Settings.model_fields if f"`FOUNDATIONS_{name.upper()}`" not in text
    ]
    assert not missing, f"README.md does not document {missing}"


def test_readme_gives_the_two_commands_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/run.sh" in text
    assert "bash scripts/test.sh" in text
    assert "bash scripts/test.sh" in ci
