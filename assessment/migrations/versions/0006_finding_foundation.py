"""DORA findings name the foundation whose deciding test they contest

A contradiction between the answers and the delivery data now holds that
foundation's deciding test at "contested" (not passed) until dated evidence
settles it; the stored scores read the foundation from here. Existing findings
get it from their rule; 0011 recomputes every stored score with them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CONTESTS = {  # frozen copy of assessment.dora.crosscheck.CONTESTS at this revision
    'rollback_vs_recovery': 'rollback_speed',
    'diagnosis_vs_recovery': 'incident_observability',
    'postmortems_vs_incidents': 'postmortem_practice',
}


def upgrade() -> None:
    with op.batch_alter_table('dora_finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('foundation', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    finding = sa.table('dora_finding', sa.column('rule', sa.String), sa.column('foundation', sa.String))
    for rule, foundation in CONTESTS.items():
        op.execute(finding.update().where(finding.c.rule == rule).values(foundation=foundation))
    # 0011 recomputes every stored score with these contests (the live scoring code writes columns added since).


def downgrade() -> None:
    with op.batch_alter_table('dora_finding', schema=None) as batch_op:
        batch_op.drop_column('foundation')
