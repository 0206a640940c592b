"""Changes without a team, matched to the teams whose deployments list them.

A commits export rarely says which team a commit belongs to, while the deployments
export does (a team column) and lists the commits each deployment shipped. So a change
row with no team goes to every team that has a deployment listing its id: a deployment
of the same import or, for an import of changes alone for no particular team (`--org`
only), one already stored for any team of the organisation. Ids such as merge request
numbers repeat across teams, so a page import for one team never looks at other teams'
stored deployments. The chosen team (the page's) gets every such row as well, so commits
imported before their deployments are not lost; without a chosen team, a change no
deployment lists is not stored, and the import says how many. Lead time is still computed
per team, each from its own copy of the change.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlmodel import Session

from assessment.core.db import table_of
from assessment.dora.formats import ID_SEPARATOR, Kind
from assessment.dora.ingest.parsing import ParsedFile
from assessment.models.assessments import Team
from assessment.models.dora import DoraDeployment


@dataclasses.dataclass(frozen=True)
class Matched:
    """What matching did to one changes file, for the import's plan."""

    source: str
    loose: int  # rows with no team
    rows: int  # rows stored for the teams that list them (one per team)
    teams: int
    unlisted: int  # loose rows no deployment lists
    kept_for_chosen: bool  # the unlisted ones go to the chosen team

    def line(self) -> str:
        text = (
            f"{self.source}: {self.loose:,} changes without a team matched to {self.teams:,} team(s) "
            f"by the deployments that list them ({self.rows:,} rows)"
        )
        if self.unlisted:
            where = "kept for the chosen team" if self.kept_for_chosen else "not stored"
            text += f"; {self.unlisted:,} listed by no deployment of the organisation: {where}"
        return text


def listings(
    session: Session, organisation_id: int, files: list[ParsedFile], ids: list[np.ndarray], *, stored: bool
) -> pa.Table:
    """Every (team_id, change_id) a deployment of this import lists, or (`stored`) one stored for the organisation."""
    parts = [
        _explode(pa.array(team_ids), parsed.table.column("change_ids"))
        for parsed, team_ids in zip(files, ids, strict=True)
        if parsed.kind is Kind.DEPLOYMENTS
    ]
    deployment, team = table_of(DoraDeployment), table_of(Team)
    rows = (
        session.execute(
            sa.select(deployment.c.team_id, deployment.c.change_ids)
            .join(team, team.c.id == deployment.c.team_id)
            .where(team.c.organisation_id == organisation_id, deployment.c.change_ids.is_not(None))
        ).all()
        if stored
        else []
    )
    if rows:
        teams, lists = zip(*rows, strict=True)
        parts.append(_explode(pa.array(teams, pa.int64()), pa.array(lists, pa.string())))
    if not parts:
        return pa.table({"team_id": pa.array([], pa.int64()), "change_id": pa.array([], pa.string())})
    return pa.concat_tables(parts).group_by(["team_id", "change_id"]).aggregate([])


def _explode(teams: pa.Array, lists: pa.Array | pa.ChunkedArray) -> pa.Table:
    valid = pc.is_valid(lists)
    split = pc.split_pattern(pc.filter(lists, valid), ID_SEPARATOR)
    parents = pc.list_parent_indices(split)
    return pa.table(
        {
            "team_id": pc.take(pc.filter(teams, valid), parents).cast(pa.int64()),
            "change_id": pc.list_flatten(split).cast(pa.string()),
        }
    )


def match(
    parsed: ParsedFile, ids: np.ndarray, loose: np.ndarray, listed: pa.Table, team_id: int | None
) -> tuple[ParsedFile, np.ndarray, Matched]:
    """The changes file with each loose row repeated for every team listing it, and the team id of every row."""
    rows = np.flatnonzero(loose)
    asked = pa.table({"row": pa.array(rows, pa.int64()), "change_id": parsed.table.column("id").take(pa.array(rows))})
    pairs = asked.join(listed, keys="change_id", join_type="inner")
    if team_id is not None:  # the chosen team has every loose row already
        pairs = pairs.filter(pc.not_equal(pairs["team_id"], team_id))
    explicit = np.flatnonzero(~loose)
    if len(explicit) and pairs.num_rows:  # a row the file gives for that team itself wins over a matched copy
        given = pa.table(
            {
                "team_id": pa.array(ids[explicit]),
                "change_id": parsed.table.column("id").take(pa.array(explicit)),
            }
        )
        pairs = pairs.join(given, keys=["team_id", "change_id"], join_type="left anti")
    matched_rows = np.asarray(pairs["row"].to_numpy(), dtype=np.int64)
    listed_rows = np.unique(matched_rows)
    unlisted = int(len(rows) - len(listed_rows))
    keep = np.flatnonzero(~loose) if team_id is None else np.arange(parsed.rows)
    take = np.concatenate([keep, matched_rows])
    new_ids = np.concatenate([ids[keep], np.asarray(pairs["team_id"].to_numpy(), dtype=np.int64)])
    order = np.argsort(take, kind="stable")  # back in file order
    take, new_ids = take[order], new_ids[order]
    expanded = dataclasses.replace(parsed, table=parsed.table.take(pa.array(take)), lines=parsed.lines[take])
    teams = len(np.unique(np.asarray(pairs["team_id"].to_numpy())))
    report = Matched(
        parsed.source,
        len(rows),
        len(matched_rows),
        teams,
        unlisted,
        team_id is not None,
    )
    return expanded, new_ids, report
