"""Portfolio data kept between reruns of one process, and never older than the database.

A filter or sort change reruns the page but changes no data, so the page keys
its cache on `data_stamp` (a millisecond query that moves with every answer
event, round, team or DORA import) and recomputes only when it moves. The
cached objects are frozen dataclasses and tuples: no caller can change them.
Access is checked by the page before it asks for anything here.
"""

from __future__ import annotations

import streamlit as st

from assessment.core import db
from assessment.core.config import get_settings
from assessment.portfolio.data import Portfolio, data_stamp, portfolio_data
from assessment.portfolio.dora import TeamCluster, dora_clusters
from assessment.portfolio.trend import TrendPoint, foundation_trend
from ui import database

Stamp = tuple[int, ...]


@st.cache_resource(max_entries=8, show_spinner=False)
def _portfolio(url: str, organisation_id: int, stamp: Stamp) -> tuple[Portfolio, dict[int, TeamCluster]]:
    with db.read_session(database.engine()) as session:
        return (
            portfolio_data(session, organisation_id=organisation_id),
            dora_clusters(session, organisation_id=organisation_id),
        )


@st.cache_resource(max_entries=32, show_spinner=False)
def _trend(url: str, organisation_id: int, stamp: Stamp, team_ids: tuple[int, ...] | None) -> tuple[TrendPoint, ...]:
    with db.read_session(database.engine()) as session:
        return tuple(foundation_trend(session, organisation_id=organisation_id, team_ids=team_ids))


def _stamp() -> Stamp:
    with db.read_session(database.engine()) as session:
        return data_stamp(session)


def portfolio(organisation_id: int) -> tuple[Portfolio, dict[int, TeamCluster]]:
    """The organisation's portfolio and DORA clusters, recomputed only when the database changed."""
    return _portfolio(get_settings().database_url, organisation_id, _stamp())


def trend(organisation_id: int, team_ids: list[int] | None) -> tuple[TrendPoint, ...]:
    """The foundation trend over the given teams (all when None), cached the same way."""
    ids = None if team_ids is None else tuple(team_ids)
    return _trend(get_settings().database_url, organisation_id, _stamp(), ids)
