"""Stored readiness tells "exposed" apart from "not ready"

A team that already deploys on its own, runs many services or injects failures
without the foundations is exposed, the finding a consultant leads with; the
portfolio read only ready or not. Every stored score is recomputed here (the
newest change to the score tables: 0004 and 0006 leave it to this one).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

from assessment.assessments.scores import refresh_many

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('end_state_readiness', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exposed', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('end_state_readiness', schema=None) as batch_op:
        batch_op.alter_column('exposed', server_default=None)  # the model has none: every write says
    with Session(bind=op.get_bind()) as session:
        refresh_many(session)
        session.flush()


def downgrade() -> None:
    with op.batch_alter_table('end_state_readiness', schema=None) as batch_op:
        batch_op.drop_column('exposed')
