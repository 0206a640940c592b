"""The browser's upload limit and the DORA import's size limit are the same number."""

from __future__ import annotations

import tomllib
from pathlib import Path

from assessment.dora.ingest.sources import DEFAULT_MAX_BYTES

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_streamlit_upload_limit_matches_the_import_limit() -> None:
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]
    assert server["maxUploadSize"] * 1024 * 1024 == DEFAULT_MAX_BYTES
