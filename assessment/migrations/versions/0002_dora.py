"""DORA data: imports, deployments, changes, incidents, typed figures, findings, saved mappings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:50:17.715638
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import assessment.core.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dora_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', assessment.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('summary_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dora_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dora_import_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('dora_saved_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('saved_at', assessment.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'name', name='uq_dora_mapping_name')
    )
    with op.batch_alter_table('dora_saved_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dora_saved_mapping_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('dora_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('committed_epoch_s', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['dora_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'external_id', name='uq_dora_change_id')
    )
    op.create_table('dora_deployment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('deployed_epoch_s', sa.BigInteger(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('environment', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('change_ids', sa.Text(), nullable=True),
    sa.Column('first_commit_epoch_s', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['dora_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'external_id', name='uq_dora_deployment_id')
    )
    op.create_table('dora_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', assessment.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('deployment_frequency_range', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('deployments_per_week', sa.Float(), nullable=True),
    sa.Column('lead_time_range', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('lead_time_hours', sa.Float(), nullable=True),
    sa.Column('change_failure_range', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('change_failure_pct', sa.Float(), nullable=True),
    sa.Column('recovery_range', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('recovery_hours', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dora_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dora_figures_team_id'), ['team_id'], unique=False)

    op.create_table('dora_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('started_epoch_s', sa.BigInteger(), nullable=False),
    sa.Column('resolved_epoch_s', sa.BigInteger(), nullable=True),
    sa.Column('deployment_external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('change_external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['dora_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'external_id', name='uq_dora_incident_id')
    )
    op.create_table('dora_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('answer_quote', sa.Text(), nullable=False),
    sa.Column('data_quote', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('computed_at', assessment.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assessment_id', 'rule', name='uq_dora_finding_rule')
    )
    with op.batch_alter_table('dora_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dora_finding_assessment_id'), ['assessment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dora_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dora_finding_assessment_id'))

    op.drop_table('dora_finding')
    op.drop_table('dora_incident')
    with op.batch_alter_table('dora_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dora_figures_team_id'))

    op.drop_table('dora_figures')
    op.drop_table('dora_deployment')
    op.drop_table('dora_change')
    with op.batch_alter_table('dora_saved_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dora_saved_mapping_organisation_id'))

    op.drop_table('dora_saved_mapping')
    with op.batch_alter_table('dora_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dora_import_organisation_id'))

    op.drop_table('dora_import')
