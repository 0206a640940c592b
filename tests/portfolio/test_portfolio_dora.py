"""DORA clusters in the portfolio: from imported events when a team has them, else from typed figures."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from assessment.bank.model import Bank
from assessment.core import db
from assessment.dora.benchmarks import nearest_cluster
from assessment.dora.metrics.compute import team_metrics
from assessment.models.dora import DoraDeployment, DoraFigures, DoraImport, DoraIncident
from assessment.organisations.directory import find_team
from assessment.portfolio.dora import dora_clusters
from tests.support.builders import new_round, org_id

DAY = 86_400
START = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())


def team_id(engine: Engine, name: str) -> int:
    with db.read_session(engine) as session:
        return find_team(session, team=name, organisation="Acme").id or 0


def add_events(engine: Engine, team: int, organisation: int) -> None:
    """A deployment every 3 days with two-week-old commits, and one incident resolved after two days."""
    with db.write_session(engine) as session:
        imported = DoraImport(organisation_id=organisation, summary_json="{}")
        session.add(imported)
        session.flush()
        for n in range(30):
            session.add(
                DoraDeployment(
                    team_id=team,
                    import_id=imported.id or 0,
                    external_id=f"d{n}",
                    service="api",
                    deployed_epoch_s=START + n * 3 * DAY,
                    status="success",
                    environment="production",
                    first_commit_epoch_s=START + n * 3 * DAY - 14 * DAY,
                )
            )
        session.add(
            DoraIncident(
                team_id=team,
                import_id=imported.id or 0,
                external_id="i1",
                service="api",
                started_epoch_s=START + 40 * DAY,
                resolved_epoch_s=START + 42 * DAY,
                deployment_external_id="d13",
            )
        )


def test_clusters_come_from_events_then_typed_figures(engine: Engine, bank: Bank) -> None:
    for name in ("Events", "Typed", "Both", "Nothing"):
        new_round(engine, bank, org="Acme", team=name)
    new_round(engine, bank, org="Other", team="Elsewhere")
    ids = {name: team_id(engine, name) for name in ("Events", "Typed", "Both", "Nothing")}
    with db.read_session(engine) as session:
        acme = org_id(session)
    for name in ("Events", "Both"):
        add_events(engine, ids[name], acme)
    with db.write_session(engine) as session:
        for name in ("Typed", "Both"):
            session.add(
                DoraFigures(
                    team_id=ids[name],
                    deployments_per_week=20,
                    lead_time_hours=2,
                    change_failure_pct=5,
                    recovery_hours=0.5,
                )
            )
        session.add(DoraFigures(team_id=ids["Nothing"], lead_time_range="one_day_to_one_week"))  # a range only
    with db.read_session(engine) as session:
        clusters = dora_clusters(session, organisation_id=acme)
        measured = nearest_cluster(team_metrics(session, team_id=ids["Events"]).benchmark_values())
    assert set(clusters) == {ids["Events"], ids["Typed"], ids["Both"]}
    assert clusters[ids["Typed"]].cluster == "elite"
    assert clusters[ids["Typed"]].source == "typed figures"
    assert measured is not None
    assert measured.cluster != "elite"
    for name in ("Events", "Both"):  # measured data wins over typed figures
        assert clusters[ids[name]].cluster == measured.cluster
        assert clusters[ids[name]].source.startswith("imported data, ")
