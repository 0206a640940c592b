"""Dependencies: floors above the published advisories SECURITY.md lists, and one exact version for every install.

`constraints.txt` (written by scripts/lock.sh) pins every package; scripts/setup.sh
installs with it, so CI proves here that what it runs is what the file pins.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def advisory_floors() -> dict[str, Version]:
    """The floors of SECURITY.md's dependency table, by package name."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("| package | floor | advisories below the floor |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| ([A-Za-z0-9_.-]+) \| ([0-9.]+) \|", table, flags=re.MULTILINE)
    return {canonicalize_name(name): Version(floor) for name, floor in rows}


def requirements() -> list[Requirement]:
    """Every requirement of pyproject.toml, the extras' too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [Requirement(line) for line in lines]


def pins() -> dict[str, Version]:
    pinned: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pinned[canonicalize_name(name)] = Version(version)
    return pinned


def test_every_floor_is_at_or_above_the_advisories_security_md_lists() -> None:
    floors = advisory_floors()
    assert {"authlib", "streamlit", "starlette", "weasyprint", "jinja2", "pypdf"} <= set(floors)
    declared: dict[str, list[Requirement]] = {}
    for requirement in requirements():
        declared.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    for name, floor in floors.items():
        assert name in declared, f"pyproject.toml does not require {name} (SECURITY.md sets its floor {floor})"
        for requirement in declared[name]:
            lowest = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=")]
            assert lowest, f"{requirement} has no floor"
            assert max(lowest) >= floor, f"{requirement} allows versions below {floor}, which have advisories"


def test_constraints_pin_every_requirement_within_its_range() -> None:
    pinned = pins()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"constraints.txt pins no version of {name}: run scripts/lock.sh"
        assert requirement.specifier.contains(pinned[name]), f"constraints.txt pins {name} {pinned[name]}"
    assert "foundations" not in pinned


def test_this_environment_runs_the_pinned_versions() -> None:
    """What scripts/setup.sh installed is what constraints.txt pins (packages of extras not installed aside)."""
    installed: dict[str, Version] = {
        canonicalize_name(d.metadata["Name"]): Version(d.version) for d in metadata.distributions()
    }
    different = {
        name: f"{installed[name]} installed, {version} pinned"
        for name, version in pins().items()
        if name in installed and installed[name] != version
    }
    assert not different, f"run scripts/setup.sh (pip install -c constraints.txt): {different}"
