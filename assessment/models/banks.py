"""Question banks an organisation has published: which stored bank versions its new rounds may use.

The bank version itself (`assessments.BankVersion`) is stored once for the whole
install and never changes; publishing adds a row here naming the organisation,
who published it and when, so one organisation's banks are offered only to it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessment.core.types import UTCDateTime, utcnow


class PublishedBank(SQLModel, table=True):
    """One bank version published for one organisation."""

    __tablename__ = "published_bank"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "bank_version_id", name="uq_published_bank"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", ondelete="RESTRICT", index=True)
    published_by: str = Field(default="", max_length=200)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
