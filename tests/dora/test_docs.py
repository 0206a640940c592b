"""docs/DORA.md documents every canonical column, the benchmark edition and every left-out reason."""

from __future__ import annotations

from pathlib import Path

from assessment.dora.benchmarks import CLUSTERS, EDITION
from assessment.dora.formats import FORMATS
from assessment.dora.metrics import quality

DOC = (Path(__file__).resolve().parents[2] / "docs" / "DORA.md").read_text(encoding="utf-8")


def _section(kind: str) -> str:
    start = DOC.index(f"### {kind}")
    end = DOC.find("\n### ", start + 1)
    return DOC[start:] if end < 0 else DOC[start:end]


def test_every_column_is_documented_with_whether_it_is_required() -> None:
    for kind, columns in FORMATS.items():
        section = _section(kind.value)
        for column in columns:
            assert f"| `{column.name}` | {'yes' if column.required else 'no'} |" in section, (
                kind,
                column.name,
            )


def test_edition_and_cluster_table() -> None:
    assert EDITION in DOC
    for cluster in CLUSTERS:
        assert f"| {cluster} |" in DOC


def test_every_left_out_reason_is_documented() -> None:
    for reason in (quality.NOT_SHIPPED_AGAIN, quality.NO_RESOLUTION, quality.NOT_LINKED):
        assert reason.split(":")[0] in DOC, reason
    for words in (
        "change id not found in the changes data",
        "committed after the deployment that shipped it",
        "lists no changes and no first commit time",
    ):
        assert words in DOC
