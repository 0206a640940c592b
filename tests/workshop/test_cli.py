"""`foundations workshop ...` in-process against a real database: create, status, close, reopen, reset-key."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from assessment.core import db
from assessment.workshops.access import INVALID_LINK, InvalidLinkError
from assessment.workshops.facilitator import overview
from assessment.workshops.participants import join_view
from cli import main as cli
from tests.support.cli import run


@pytest.fixture
def created(env_database: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert cli.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    code, out, _ = run(
        capsys,
        "workshop",
        "create",
        "--org",
        "Acme",
        "--team",
        "Payments",
        "--team",
        "Checkout",
        "--by",
        "Fran",
        "--base-url",
        "https://foundations.example/",
        "--json",
    )
    assert code == 0
    return dict(json.loads(out))


def test_create_prints_the_links_and_the_key_once(created: dict[str, Any]) -> None:
    join = urlsplit(created["join_link"])
    assert (join.netloc, join.path) == ("foundations.example", "/join")
    assert parse_qs(join.query)["join"] == [created["join_code"].replace("-", "")]
    facilitate = parse_qs(urlsplit(created["dashboard_link"]).query)
    assert facilitate == {"w": [str(created["id"])]}  # no key: a link stays in the browser history
    assert "facilitator_link" not in created
    assert sorted(created["assessments"]) == ["Checkout", "Payments"]
    with db.read_session(db.get_engine()) as session:
        assert overview(session, workshop_id=created["id"], key=created["facilitator_key"]).organisation == "Acme"


def test_status_json_reports_each_team_and_no_secret(
    created: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "workshop", "status", str(created["id"]), "--json")
    status = json.loads(out)
    assert code == 0
    assert status["status"] == "open"
    assert status["accepting_participants"] is True
    assert [t["team"] for t in status["teams"]] == ["Checkout", "Payments"]
    assert created["facilitator_key"] not in out
    code, out, _ = run(capsys, "workshop", "status", str(created["id"]))
    assert code == 0
    assert "accepting participants" in out
    assert "Payments: 0 joined" in out


def test_close_stops_the_code_and_reopen_brings_it_back(
    created: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    wid, code_ = str(created["id"]), created["join_code"]
    assert run(capsys, "workshop", "close", wid)[0] == 0
    with db.read_session(db.get_engine()) as session, pytest.raises(InvalidLinkError):
        join_view(session, code=code_)
    assert json.loads(run(capsys, "workshop", "status", wid, "--json")[1])["status"] == "closed"
    code, out, _ = run(capsys, "workshop", "reopen", wid, "--days", "2")
    assert code == 0
    assert "open again" in out
    with db.read_session(db.get_engine()) as session:
        assert join_view(session, code=code_).organisation == "Acme"


def test_create_prints_the_key_once_and_in_no_link(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "workshop", "create", "--org", "Acme", "--team", "Payments")
    key = out.split("facilitator key:")[1].split()[0]
    assert code == 0
    assert out.count(key) == 1
    assert all(key not in line for line in out.splitlines() if "http" in line)


def test_reset_key_prints_a_new_key_and_the_old_one_stops(
    created: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "workshop", "reset-key", str(created["id"]))
    new_key = out.split("new facilitator key:")[1].split()[0]
    assert code == 0
    assert out.count(new_key) == 1  # printed once, in no link
    assert new_key != created["facilitator_key"]
    with db.read_session(db.get_engine()) as session:
        assert overview(session, workshop_id=created["id"], key=new_key).id == created["id"]
        with pytest.raises(InvalidLinkError, match=INVALID_LINK):
            overview(session, workshop_id=created["id"], key=created["facilitator_key"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["workshop", "status", "99"], "error: no workshop with id 99\n"),
        (["workshop", "close", "99"], "error: no workshop with id 99\n"),
        (
            ["workshop", "create", "--org", "Acme", "--team", "A", "--days", "0"],
            "error: a workshop can stay open for 1 to 90 days, not 0\n",
        ),
        (
            ["workshop", "create", "--org", "Acme", "--team", "A", "--team", "a"],
            "error: a team is named twice: a\n",
        ),
        (["workshop", "create", "--org", " ", "--team", "A"], "error: organisation name must not be empty\n"),
    ],
)
def test_bad_input_is_one_line_and_saves_nothing(
    created: dict[str, Any], capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (1, "", message)
    status = json.loads(run(capsys, "workshop", "status", str(created["id"]), "--json")[1])
    assert status["id"] == created["id"]
    assert run(capsys, "workshop", "status", str(created["id"] + 1))[0] == 1  # no second workshop appeared


def test_a_non_numeric_id_is_a_usage_error(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["workshop", "close", "x"])
    assert caught.value.code == 2
    assert "expected a workshop id" in capsys.readouterr().err
