"""hipec: procedures, perfusion sample batches, alarms (issue 6)

Revision ID: hipec_0001
Revises: 0001
Create Date: 2026-11-26 06:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'hipec_0001'
down_revision = '0001'
branch_labels = ('hipec',)
depends_on = None


def upgrade() -> None:
    op.create_table('hipec_procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('surgery_event_id', sa.Integer(), nullable=True),
    sa.Column('procedure_date', sa.Date(), nullable=False),
    sa.Column('technique', sa.String(length=8), nullable=False),
    sa.Column('drugs', sa.JSON(), nullable=False),
    sa.Column('height_cm', sa.Float(), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=False),
    sa.Column('bsa_m2', sa.Float(), nullable=False),
    sa.Column('carrier_solution', sa.String(length=100), nullable=False),
    sa.Column('carrier_volume_ml', sa.Float(), nullable=False),
    sa.Column('target_low_c', sa.Float(), nullable=False),
    sa.Column('target_high_c', sa.Float(), nullable=False),
    sa.Column('planned_duration_min', sa.Float(), nullable=False),
    sa.Column('flow_rate_l_min', sa.Float(), nullable=True),
    sa.Column('pci', sa.Integer(), nullable=True),
    sa.Column('cc_score', sa.String(length=4), nullable=True),
    sa.Column('probes', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['event_id'], ['timeline_events.id'], ),
    sa.ForeignKeyConstraint(['surgery_event_id'], ['timeline_events.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hipec_procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hipec_procedures_case_id'), ['case_id'],
                              unique=False)

    op.create_table('hipec_sample_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('t_first_s', sa.Float(), nullable=False),
    sa.Column('t_last_s', sa.Float(), nullable=False),
    sa.Column('n_samples', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['procedure_id'], ['hipec_procedures.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('procedure_id', 't_first_s', name='uq_hipec_batch_procedure_t')
    )

    op.create_table('hipec_alarms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('t_s', sa.Float(), nullable=False),
    sa.Column('onset_s', sa.Float(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('probe', sa.String(length=64), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ack_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['procedure_id'], ['hipec_procedures.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hipec_alarms', schema=None) as batch_op:
        batch_op.create_index('ix_hipec_alarms_procedure_t', ['procedure_id', 't_s'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hipec_alarms', schema=None) as batch_op:
        batch_op.drop_index('ix_hipec_alarms_procedure_t')
    op.drop_table('hipec_alarms')
    op.drop_table('hipec_sample_batches')
    with op.batch_alter_table('hipec_procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hipec_procedures_case_id'))
    op.drop_table('hipec_procedures')
