"""DORA tables: imported deployments, changes and incidents, typed figures, imports, findings, mappings.

Event times are whole seconds since the Unix epoch in UTC (`*_epoch_s`): a
million of them read back as plain integers, and no backend can shift them by
a time zone. Ids from the user's files are kept as text in `external_id`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessment.core.types import UTCDateTime, utcnow


class DoraImport(SQLModel, table=True):
    """One import (one or more files, all or nothing); rows point back at it."""

    __tablename__ = "dora_import"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(default="", max_length=200)
    summary_json: str = Field(sa_type=sa.Text, description="Files, rows per kind, replaced and skipped rows.")


class DoraDeployment(SQLModel, table=True):
    __tablename__ = "dora_deployment"
    __table_args__ = (sa.UniqueConstraint("team_id", "external_id", name="uq_dora_deployment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    import_id: int = Field(foreign_key="dora_import.id", ondelete="CASCADE")
    external_id: str = Field(max_length=200)
    service: str = Field(max_length=200)
    deployed_epoch_s: int = Field(sa_type=sa.BigInteger)
    status: str = Field(max_length=200)
    environment: str = Field(max_length=200)
    change_ids: str | None = Field(default=None, sa_type=sa.Text, description="Change ids joined by ';'.")
    first_commit_epoch_s: int | None = Field(default=None, sa_type=sa.BigInteger)


class DoraChange(SQLModel, table=True):
    __tablename__ = "dora_change"
    __table_args__ = (sa.UniqueConstraint("team_id", "external_id", name="uq_dora_change_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    import_id: int = Field(foreign_key="dora_import.id", ondelete="CASCADE")
    external_id: str = Field(max_length=200)
    committed_epoch_s: int = Field(sa_type=sa.BigInteger)


class DoraIncident(SQLModel, table=True):
    __tablename__ = "dora_incident"
    __table_args__ = (sa.UniqueConstraint("team_id", "external_id", name="uq_dora_incident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    import_id: int = Field(foreign_key="dora_import.id", ondelete="CASCADE")
    external_id: str = Field(max_length=200)
    service: str = Field(max_length=200)
    started_epoch_s: int = Field(sa_type=sa.BigInteger)
    resolved_epoch_s: int | None = Field(default=None, sa_type=sa.BigInteger)
    deployment_external_id: str | None = Field(default=None, max_length=200)
    change_external_id: str | None = Field(default=None, max_length=200)


class DoraFigures(SQLModel, table=True):
    """The four figures as a team typed them: a range (Quick Check style) or an exact number each.

    Every save adds a row; the newest row is the team's current figures.
    """

    __tablename__ = "dora_figures"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True)
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    entered_by: str = Field(default="", max_length=200)
    deployment_frequency_range: str | None = Field(default=None, max_length=40)
    deployments_per_week: float | None = None
    lead_time_range: str | None = Field(default=None, max_length=40)
    lead_time_hours: float | None = None
    change_failure_range: str | None = Field(default=None, max_length=40)
    change_failure_pct: float | None = None
    recovery_range: str | None = Field(default=None, max_length=40)
    recovery_hours: float | None = None


class DoraFinding(SQLModel, table=True):
    """A contradiction between an assessment's answers and the team's DORA data, both sides quoted."""

    __tablename__ = "dora_finding"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "rule", name="uq_dora_finding_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)
    rule: str = Field(max_length=64)
    foundation: str | None = Field(default=None, max_length=64)  # whose deciding test it contests
    title: str = Field(max_length=200)
    answer_quote: str = Field(sa_type=sa.Text)
    data_quote: str = Field(sa_type=sa.Text)
    explanation: str = Field(sa_type=sa.Text)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DoraSavedMapping(SQLModel, table=True):
    """A column mapping saved under a name for an organisation's next import."""

    __tablename__ = "dora_saved_mapping"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_dora_mapping_name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    content: str = Field(sa_type=sa.Text, description="The mapping file's JSON.")
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
