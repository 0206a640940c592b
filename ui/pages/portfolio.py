"""Portfolio: every team of an organisation side by side, for leaders. Thin: filters in, domain out, charts drawn.

Everything shown comes from `portfolio_data` (a few SQL aggregates over the
stored scores), cached until the database changes, so a filter or sort change
costs little whether the organisation has 5 teams or 500. Tables and the
heatmap show one page of teams at a time.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd
import streamlit as st

from assessment.access.policy import Action, authorize, may, organisation, visible_organisations
from assessment.bank.model import LEVEL_NAMES
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.portfolio.data import Portfolio, TeamRow
from assessment.portfolio.dora import TeamCluster, benchmark_edition
from assessment.portfolio.filters import SORTS, TeamFilter, filter_teams, page, page_count, sort_teams
from assessment.portfolio.trend import trend_note
from reports.charts.palette import READINESS_INK
from reports.charts.portfolio import distribution_chart, heatmap_spec, trend_chart
from ui import auth, database
from ui.components.portfolio import cache, downloads
from ui.state import Slot
from ui.text import plain, sentence

ORG = Slot[int | None]("portfolio_org", None)
PAGE = Slot[int]("portfolio_page", 1)  # the page number of the team list
NAME_KEY, END_STATE_KEY, READY_KEY = "portfolio_name", "portfolio_end_state", "portfolio_ready"
FOUNDATION_KEY, BELOW_KEY, SORT_KEY, DESC_KEY = (
    "portfolio_foundation",
    "portfolio_below",
    "portfolio_sort",
    "portfolio_desc",
)
SIZE_KEY = "portfolio_page_size"
PAGE_SIZES = (10, 25, 50, 100)

engine = database.engine()
actor = auth.actor()
st.title("Portfolio")
st.caption(
    "Every team's latest completed round side by side: levels per foundation, readiness, DORA cluster and "
    "movement since the previous completed round. A round still being answered is shown as in progress."
)

with db.read_session(engine) as session:
    organisations = visible_organisations(session, actor)
if not organisations:
    st.info(
        "There is no organisation to show yet. Start an assessment or load the demo data on the Start page.",
        icon=":material/info:",
    )
    st.page_link("ui/pages/start.py", label="Go to Start", icon=":material/home:")
    st.stop()

names = {org.id or 0: org.name for org in organisations}
ORG.keep_within(names, next(iter(names)))
org_id: int = st.selectbox("Organisation", list(names), format_func=names.__getitem__, key=ORG.key)
try:
    authorize(engine, actor, Action.VIEW_PORTFOLIO, organisation(org_id))
    portfolio, clusters = cache.portfolio(org_id)
    with db.read_session(engine) as session:
        may_export = may(session, actor, Action.EXPORT, org_id)
        may_report = may(session, actor, Action.DOWNLOAD_REPORT, org_id)
except FoundationsError as exc:
    st.error(sentence(str(exc)), icon=":material/block:")
    st.stop()


def summary(p: Portfolio) -> None:
    """Headline figures: teams, mean score, and how many teams are ready for each end state."""
    teams = len(p.teams)
    cols = st.columns(2 + len(p.end_states))
    cols[0].metric(
        "Teams with a completed round",
        teams,
        help=f"{len(p.only_in_progress):d} team(s) have a first round in progress; "
        f"{p.teams_without_rounds:d} have none",
    )
    mean = round(sum(r.overall for r in p.teams) / teams) if teams else 0
    cols[1].metric("Mean overall score", f"{mean}/100")
    for col, (key, title, _) in zip(cols[2:], p.end_states, strict=True):
        col.metric(f"Ready: {plain(title.lower())}", f"{p.ready_counts.get(key, 0):d} of {teams:d}")


def filters(p: Portfolio) -> tuple[TeamFilter, str, bool]:
    """The filter and sort widgets; returns what they say."""
    end_titles = {key: title for key, title, _ in p.end_states}
    foundation_titles = dict(p.foundations)
    with st.container(border=True):
        name, end_state, ready, foundation, below = st.columns([2.2, 2.2, 1.3, 2.2, 1.5], vertical_alignment="bottom")
        text = name.text_input("Team name contains", key=NAME_KEY, max_chars=200)
        chosen_end = end_state.selectbox(
            "Readiness for",
            list(end_titles),
            format_func=end_titles.__getitem__,
            index=None,
            placeholder="any end state",
            key=END_STATE_KEY,
        )
        readiness = ready.selectbox(
            "Teams that are",
            ["ready", "not ready"],
            index=None,
            placeholder="either",
            key=READY_KEY,
            disabled=chosen_end is None,
        )
        chosen_foundation = foundation.selectbox(
            "Foundation",
            list(foundation_titles),
            index=None,
            format_func=foundation_titles.__getitem__,
            placeholder="any foundation",
            key=FOUNDATION_KEY,
        )
        level = below.selectbox(
            "Below level",
            [1, 2, 3, 4],
            index=None,
            placeholder="any level",
            format_func=lambda n: f"{n} {LEVEL_NAMES[n]}",
            key=BELOW_KEY,
            disabled=chosen_foundation is None,
        )
        sort_col, desc_col, _ = st.columns([2.2, 1.5, 5.2], vertical_alignment="bottom")
        sorts = {**SORTS, **{f"foundation:{k}": f"{t} score" for k, t in p.foundations}}
        sort = sort_col.selectbox("Sort by", list(sorts), format_func=sorts.__getitem__, key=SORT_KEY)
        descending = desc_col.toggle("Highest first", key=DESC_KEY)
    ready_flag = None if readiness is None or chosen_end is None else readiness == "ready"
    return (
        TeamFilter(text, chosen_end, ready_flag, chosen_foundation, level if chosen_foundation else None),
        sort,
        descending,
    )


def pager(total: int) -> tuple[int, int]:
    """Page size and page number widgets; the number is clamped when a filter shrinks the list."""
    size_col, page_col, info_col = st.columns([1.2, 1.2, 5.6], vertical_alignment="bottom")
    size = size_col.selectbox("Teams per page", PAGE_SIZES, index=1, key=SIZE_KEY)
    pages = page_count(total, size)
    if PAGE.get() > pages:
        PAGE.set(pages)
    number = int(page_col.number_input(f"Page (of {pages:d})", min_value=1, max_value=pages, step=1, key=PAGE.key))
    first = (number - 1) * size + 1 if total else 0
    info_col.caption(f"Teams {first:d}-{min(total, number * size):d} of {total:d} shown")
    return size, number


def cluster_text(found: TeamCluster | None) -> str:
    return "no data" if found is None else f"{found.text}, {found.source.split(',')[0]}"


def team_table(rows: list[TeamRow], p: Portfolio) -> None:
    """One line per team of the current page: round, score, movement, readiness, DORA (levels are in the heatmap)."""
    records = []
    for r in rows:
        record: dict[str, object] = {
            "Team": r.team,
            "Round": r.round_number,
            "Score": r.overall,
            "Since last round": "first round" if r.movement is None else f"{r.movement:+d}",
        }
        for key, title, _ in p.end_states:  # words, not grey checkboxes that read as "not filled in"
            record[title] = r.readiness(key)
        record["DORA cluster"] = cluster_text(clusters.get(r.team_id))
        record["Answered"] = f"{r.answered} of {r.total}"
        record["Carried over"] = r.carried_over
        record["Newer round"] = r.in_progress.text if r.in_progress else "none"
        records.append(record)
    titles = [title for _, title, _ in p.end_states]
    config = {title: st.column_config.TextColumn(title, help=f"Ready for {title.lower()}?") for title in titles}
    config["DORA cluster"] = st.column_config.TextColumn(width="large")  # "high, imported data" was cut
    config["Since last round"] = st.column_config.TextColumn(
        help="Change of the overall score since the team's previous round"
    )
    config["Carried over"] = st.column_config.NumberColumn(help="Answers copied from the previous round, unconfirmed")
    config["Newer round"] = st.column_config.TextColumn(help="A round started after this one and not completed yet")
    columns: list[Hashable] = list(titles)
    table = pd.DataFrame(records).style.map(readiness_colour, subset=columns)
    st.dataframe(table, hide_index=True, column_config=config, width="stretch")


def readiness_colour(word: object) -> str:
    """Green for ready, amber for not ready, red for exposed: the colours the team report uses for the verdicts."""
    return f"color: {READINESS_INK[str(word)]}; font-weight: 600"


def teams_and_charts(shown: list[TeamRow]) -> None:
    """The heatmap, table and charts of the teams the filters keep (nothing to draw when none is kept)."""
    size, number = pager(len(shown))
    on_page = page(shown, number, size)
    if on_page:
        st.subheader("Levels per foundation", anchor=False)
        st.caption(
            "Each cell: level · score (0-100). An asterisk marks a level capped because the foundation's "
            "deciding test is failed, contested by the team's delivery data, or unknown. Hover a cell for details."
        )
        st.vega_lite_chart(heatmap_spec(on_page, portfolio.foundations), width="content")
        st.subheader("Readiness, DORA and movement", anchor=False)
        team_table(on_page, portfolio)
        st.caption(
            f"DORA clusters are the nearest of the four clusters of the {plain(benchmark_edition())} over the "
            "metrics a team has data for."
        )

    left, right = st.columns(2, gap="large")
    filtered = len(shown) != len(portfolio.teams)
    with left:
        st.subheader("Teams per level", anchor=False)
        counts = (
            {
                key: tuple(sum(1 for r in shown if key in r.cells and r.cells[key].level == n) for n in range(5))
                for key, _ in portfolio.foundations
            }
            if filtered
            else portfolio.level_counts
        )
        st.altair_chart(distribution_chart(counts, portfolio.foundations), width="stretch")
    with right:
        st.subheader("Trend across rounds", anchor=False)
        trend = cache.trend(org_id, [r.team_id for r in shown] if filtered else None)
        st.altair_chart(trend_chart(trend, portfolio.foundations), width="stretch")
        st.caption(plain(trend_note(trend)))


summary(portfolio)
if portfolio.only_in_progress:
    st.caption(
        "Not counted until their first round is completed: "
        + plain("; ".join(f"{r.team}: {r.text}" for r in portfolio.only_in_progress))
        + "."
    )
team_filter, sort, descending = filters(portfolio)
shown = sort_teams(filter_teams(portfolio, team_filter), sort, descending)
if not shown:
    st.info("No team matches these filters.", icon=":material/filter_alt_off:")
else:
    teams_and_charts(shown)

downloads.buttons(engine, portfolio.organisation, may_export=may_export, may_report=may_report)
st.caption(f"Showing {plain(portfolio.organisation)}.")
