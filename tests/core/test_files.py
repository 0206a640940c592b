"""write_atomically: the target is replaced whole, keeps its permissions, and a failure names the file and the fix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assessment.core.errors import FoundationsError
from assessment.core.files import write_atomically


def test_the_file_is_replaced_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    write_atomically(target, b"%PDF new")
    assert target.read_bytes() == b"%PDF new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_text_is_utf8_with_its_newlines_as_given(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    write_atomically(target, "é,b\r\nc,d\n")
    assert target.read_bytes() == "é,b\r\nc,d\n".encode()


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_gets_the_usual_ones(tmp_path: Path) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o640)
    write_atomically(kept, "[]")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.json"
    umask = os.umask(0o022)
    try:
        write_atomically(fresh, "[]")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "x.json"
    with pytest.raises(FoundationsError) as caught:
        write_atomically(target, "{}")
    assert str(caught.value) == f"{target}: not written: folder {str(target.parent)!r} does not exist"


def test_a_folder_given_as_the_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    with pytest.raises(FoundationsError) as caught:
        write_atomically(tmp_path, "{}")
    assert str(caught.value) == f"{tmp_path}: not written: it is a folder; name a file"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_a_folder_without_write_permission_is_named(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(FoundationsError) as caught:
            write_atomically(tmp_path / "x.json", "{}")
    finally:
        tmp_path.chmod(0o700)
    assert "no permission to write in" in str(caught.value)
