"""Access tables: who belongs to which organisation with which role, and the audit log.

A membership is keyed by the e-mail address the person signs in with; the app
never stores a password. The audit log keeps the organisation as a plain id (no
foreign key) so a record of what happened outlives whatever it was about, and so
writing it never waits on a lock the caller holds on the organisation row.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessment.core.emails import MAX_EMAIL
from assessment.core.types import UTCDateTime, utcnow


class Membership(SQLModel, table=True):
    """One person's role in one organisation."""

    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "email", name="uq_membership_org_email"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    email: str = Field(max_length=MAX_EMAIL, index=True, description="Lower case, as signed in with.")
    role: str = Field(max_length=20, description="owner | facilitator | member | viewer")
    granted_by: str = Field(default="", max_length=MAX_EMAIL)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AuditEvent(SQLModel, table=True):
    """Something an owner may need to know about later: a refused action, or a change of members."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_org_at", "organisation_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=MAX_EMAIL, description="E-mail address, or 'local user' / 'command line'.")
    action: str = Field(max_length=40)
    outcome: str = Field(max_length=20, description="denied | done")
    organisation_id: int | None = Field(default=None, description="No foreign key: the log outlives it.")
    target: str = Field(default="", max_length=200, description="What the action was about, e.g. 'assessment 12'.")
    detail: str = Field(default="", sa_type=sa.Text)


class SignInIdentity(SQLModel, table=True):
    """The provider account an address first signed in with, and when its sessions last ended.

    An address is bound to one issuer and subject at its first sign-in, so a provider
    that lets someone else claim the same address (another account, another tenant)
    cannot sign in as its owner. Signing out moves `signed_out_at` forward: a session
    whose ID token was issued before that second is refused, so a copy of the cookie
    stops working even though the cookie itself stays validly signed.
    """

    __tablename__ = "sign_in_identity"

    email: str = Field(primary_key=True, max_length=MAX_EMAIL, description="Lower case, as signed in with.")
    issuer: str = Field(max_length=500, description="The `iss` claim of the first sign-in.")
    subject: str = Field(max_length=500, description="The `sub` claim of the first sign-in.")
    bound_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    signed_out_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="Sessions issued before this second are refused."
    )
