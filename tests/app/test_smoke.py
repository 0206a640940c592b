"""Every page opens without an exception: empty database, demo data, unmigrated database, bad links."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.support.app import ASSESS, PAGES, RESULTS, START, open_page, texts
from tests.support.builders import demo_round
from tests.support.database import create_empty


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_an_empty_database(app_engine: Engine, page: str) -> None:
    at = open_page(page)
    assert not at.exception
    if page == START:
        assert at.text_input(key="first_org_name") is not None  # led straight into a first assessment
    else:
        assert "No assessment is open" in texts(at, "info")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_with_demo_data(demo_app_engine: Engine, page: str) -> None:
    for team in ("Payments", "Checkout", "Platform", "Mobile API"):  # weak, gate failing, proven, half done
        at = open_page(page, demo_round(demo_app_engine, team))
        assert not at.exception, team
        assert not at.error or page == RESULTS  # results show unmet verdicts as error boxes
        if page != START:
            assert team in at.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_unmigrated_database_gets_instructions_not_a_traceback(env_database: str, page: str) -> None:
    create_empty(env_database)  # an empty database; a missing SQLite file is never created (tests/faults)
    at = open_page(page)
    assert not at.exception
    assert "not ready" in texts(at, "error")
    assert "foundations db upgrade" in "\n".join(c.value for c in at.code)


@pytest.mark.parametrize("page", [ASSESS, RESULTS])
def test_malformed_assessment_link_is_explained(app_engine: Engine, page: str) -> None:
    for link in ["abc", "0", "1.5", "99999999999", "12; drop table", "٣"]:
        at = open_page(page, link)
        assert not at.exception, link
        assert "does not point to an assessment" in texts(at, "error"), link
        assert "assessment" not in at.query_params
        assert [link.proto.label for link in at.get("page_link")] == ["Go to Start"]  # the way back


@pytest.mark.parametrize("page", [ASSESS, RESULTS])
def test_unknown_assessment_is_explained_with_a_way_back(app_engine: Engine, page: str) -> None:
    at = open_page(page, 4242)
    assert not at.exception
    assert "does not exist" in texts(at, "error")
    assert "4242" not in texts(at, "error")  # no raw ids shown
    assert [link.proto.label for link in at.get("page_link")] == ["Go to Start"]
    assert "assessment" not in at.query_params
