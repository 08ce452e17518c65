"""courses: courses, given cycles and doses, weights, labs, adverse events, imaging
timepoints with lesions, pathology response (issue 4)

Revision ID: courses_0001
Revises: 0001
Create Date: 2026-11-26 05:38:40.686537
"""
import sqlalchemy as sa
from alembic import op

revision = 'courses_0001'
down_revision = '0001'
branch_labels = ('courses',)
depends_on = None


def upgrade() -> None:
    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('regimen_id', sa.String(length=32), nullable=False),
    sa.Column('regimen_version', sa.String(length=16), nullable=False),
    sa.Column('regimen_name', sa.String(length=300), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('height_cm', sa.Float(), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=False),
    sa.Column('bsa_formula', sa.String(length=16), nullable=False),
    sa.Column('bsa_m2', sa.Float(), nullable=False),
    sa.Column('n_cycles', sa.Integer(), nullable=True),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('external_anthracyclines', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_case_id'), ['case_id'], unique=False)

    op.create_table('lab_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('test', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lab_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_results_case_id'), ['case_id'], unique=False)

    op.create_table('weight_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=False),
    sa.Column('height_cm', sa.Float(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('weight_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weight_measurements_case_id'), ['case_id'], unique=False)

    op.create_table('adverse_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('cycle_number', sa.Integer(), nullable=True),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('onset', sa.Date(), nullable=False),
    sa.Column('term_checked', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('adverse_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adverse_events_case_id'), ['case_id'], unique=False)

    op.create_table('course_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=False),
    sa.Column('delay_days', sa.Integer(), nullable=False),
    sa.Column('delay_reason', sa.Text(), nullable=True),
    sa.Column('weight_kg', sa.Float(), nullable=False),
    sa.Column('bsa_m2', sa.Float(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('precheck_reason', sa.Text(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('override_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('timeline_event_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['override_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['timeline_event_id'], ['timeline_events.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('course_id', 'number', name='uq_course_cycle_number')
    )
    with op.batch_alter_table('course_cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_cycles_course_id'), ['course_id'], unique=False)

    op.create_table('imaging_timepoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('baseline', sa.Boolean(), nullable=False),
    sa.Column('modality', sa.String(length=32), nullable=False),
    sa.Column('non_target', sa.String(length=16), nullable=False),
    sa.Column('new_lesions', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('timeline_event_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['timeline_event_id'], ['timeline_events.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('imaging_timepoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imaging_timepoints_case_id'), ['case_id'], unique=False)

    op.create_table('pathology_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('specimen_date', sa.Date(), nullable=False),
    sa.Column('necrosis_pct', sa.Float(), nullable=False),
    sa.Column('huvos_grade', sa.String(length=4), nullable=False),
    sa.Column('good_responder', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('timeline_event_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['timeline_event_id'], ['timeline_events.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pathology_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathology_responses_case_id'), ['case_id'], unique=False)

    op.create_table('course_cycle_doses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('drug', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('dose_mg', sa.Float(), nullable=False),
    sa.Column('dose_mg_m2', sa.Float(), nullable=False),
    sa.Column('protocol_mg', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['course_cycles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('course_cycle_doses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_cycle_doses_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('lesion_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timepoint_id', sa.Integer(), nullable=False),
    sa.Column('lesion', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('organ', sa.String(length=64), nullable=False),
    sa.Column('node', sa.Boolean(), nullable=False),
    sa.Column('diameter_mm', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['timepoint_id'], ['imaging_timepoints.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lesion_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesion_measurements_timepoint_id'), ['timepoint_id'], unique=False)


def downgrade() -> None:
    # Children first; dropping a table drops its indexes.
    for table in ('lesion_measurements', 'course_cycle_doses', 'pathology_responses',
                  'imaging_timepoints', 'course_cycles', 'adverse_events', 'weight_measurements',
                  'lab_results', 'courses'):
        op.drop_table(table)
