"""An organisation's report branding: one row per organisation that has any, none for today's look."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessment.core.types import UTCDateTime, utcnow


class OrganisationBrand(SQLModel, table=True):
    """Who prepared the reports and how they look; every field optional, the logo already made safe."""

    __tablename__ = "organisation_brand"

    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", primary_key=True)
    name: str | None = Field(default=None, max_length=120)
    prepared_by: str | None = Field(default=None, max_length=200)
    confidentiality: str | None = Field(default=None, max_length=200)
    accent: str | None = Field(default=None, max_length=7)
    logo: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    logo_type: str | None = Field(default=None, max_length=20)
    updated_by: str = Field(default="", max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
