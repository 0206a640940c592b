"""Week-by-week series for one team's charts: deployments, median lead time, median recovery time.

Weeks are counted from the window's start (week 1 = its first seven days), so a
chart never shows a half week before the window begins.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pyarrow.compute as pc
from sqlmodel import Session

from assessment.dora.metrics.compute import DEFAULT_LOOKBACK_HOURS, HOUR_S
from assessment.dora.metrics.frames import load_frames
from assessment.dora.metrics.window import DAY_S, Window

WEEK_S = 7 * DAY_S


def _start(window: Window, week: int) -> pd.Timestamp:
    """The first day of week `week` (0-based) of the window, as a UTC-naive timestamp for charts."""
    return pd.Timestamp((window.since + timedelta(weeks=week)).replace(tzinfo=None))


def _week_start(window: Window, seconds: pd.Series) -> pd.Series:
    weeks = (seconds - window.since_s) // WEEK_S
    return weeks.map(lambda w: _start(window, int(w)))


def weekly_trends(session: Session, *, team_id: int, window: Window) -> pd.DataFrame:
    """Columns: week (first day), deployments, lead_time_hours (median), recovery_hours (median)."""
    frames = load_frames(session, team_ids=[team_id], window=window, lookback_s=int(DEFAULT_LOOKBACK_HOURS * HOUR_S))
    deployments = frames.deployments.filter(pc.greater_equal(frames.deployments["deployed_s"], window.since_s))
    weeks = pd.DataFrame({"week": [_start(window, w) for w in range(int(-(-window.days // 7)))]})
    dep = deployments.to_pandas()
    counts = dep.groupby(_week_start(window, dep["deployed_s"])).size().rename("deployments")
    lead = _lead_by_week(window, dep, frames.changes.to_pandas())
    incidents = frames.incidents.to_pandas().dropna(subset=["resolved_s"])
    recovery = (
        ((incidents["resolved_s"] - incidents["started_s"]) / HOUR_S)
        .groupby(_week_start(window, incidents["started_s"]))
        .median()
        .rename("recovery_hours")
    )
    out = weeks.set_index("week").join(counts).join(lead).join(recovery)
    out["deployments"] = out["deployments"].fillna(0).astype(int)
    return out.reset_index()


def _lead_by_week(window: Window, deployments: pd.DataFrame, changes: pd.DataFrame) -> pd.Series:
    """Median lead time of the changes first shipped in each week (hours)."""
    listed = deployments.dropna(subset=["change_ids"]).assign(change_id=lambda d: d["change_ids"].str.split(";"))
    pairs = listed.explode("change_id").sort_values("deployed_s").drop_duplicates("change_id")
    joined = pairs.merge(changes.rename(columns={"external_id": "change_id"}), on="change_id")
    direct = deployments.dropna(subset=["first_commit_s"]).rename(columns={"first_commit_s": "committed_s"})
    samples = pd.concat([joined[["deployed_s", "committed_s"]], direct[["deployed_s", "committed_s"]]])
    hours = (samples["deployed_s"] - samples["committed_s"]) / HOUR_S
    kept = hours >= 0
    return hours[kept].groupby(_week_start(window, samples["deployed_s"][kept])).median().rename("lead_time_hours")
