"""An organisation's attribution look-back for DORA change failure rate (hours; empty: the default)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dora_lookback_hours', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('dora_lookback_hours')
