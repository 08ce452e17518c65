"""courses: prescribed -> verified -> administered cycles with co-signed overrides, administered
doses with the second check, concurrent-course reasons, regimen approvals (issue 17)

Cycles recorded before issue 17 were recorded as given: they become ``administered`` and their
doses ``given_mg = dose_mg``; their free-text ``override_reason`` stays as it was.

Revision ID: courses_0003
Revises: courses_0002
Create Date: 2026-12-04 18:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'courses_0003'
down_revision = 'courses_0002'
branch_labels = None
depends_on = None

_CYCLE_USERS = ('cosigned_by', 'verified_by')
_DOSE_USERS = ('given_by', 'second_check_by')


def upgrade() -> None:
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concurrent_reason', sa.JSON(), nullable=True))
    with op.batch_alter_table('course_cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16),
                                      server_default='administered', nullable=False))
        batch_op.add_column(sa.Column('overrides', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('cosigned_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cosigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verified_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verification', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('administered_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('history', sa.JSON(), nullable=True))
        for col in _CYCLE_USERS:
            batch_op.create_foreign_key(f'fk_course_cycles_{col}_users', 'users', [col], ['id'])
    cycles = sa.table('course_cycles', sa.column('overrides', sa.JSON()),
                      sa.column('history', sa.JSON()))
    op.execute(cycles.update().values(overrides=[], history=[]))
    with op.batch_alter_table('course_cycles', schema=None) as batch_op:
        batch_op.alter_column('overrides', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('history', existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table('course_cycle_doses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('given_mg', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('given_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('given_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('second_check_by', sa.Integer(), nullable=True))
        for col in _DOSE_USERS:
            batch_op.create_foreign_key(f'fk_course_cycle_doses_{col}_users', 'users', [col],
                                        ['id'])
    doses = sa.table('course_cycle_doses', sa.column('given_mg', sa.Float()),
                     sa.column('dose_mg', sa.Float()))
    op.execute(doses.update().values(given_mg=doses.c.dose_mg))
    op.create_table('regimen_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regimen_id', sa.String(length=32), nullable=False),
    sa.Column('regimen_version', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('regimen_id', 'regimen_version', 'role', name='uq_regimen_approval_role')
    )


def downgrade() -> None:
    op.drop_table('regimen_approvals')
    with op.batch_alter_table('course_cycle_doses', schema=None) as batch_op:
        for col in _DOSE_USERS:
            batch_op.drop_constraint(f'fk_course_cycle_doses_{col}_users', type_='foreignkey')
        for col in ('second_check_by', 'given_by', 'given_at', 'given_mg', 'route'):
            batch_op.drop_column(col)
    with op.batch_alter_table('course_cycles', schema=None) as batch_op:
        for col in _CYCLE_USERS:
            batch_op.drop_constraint(f'fk_course_cycles_{col}_users', type_='foreignkey')
        for col in ('history', 'administered_at', 'cancel_reason', 'return_reason',
                    'verification', 'verified_at', 'verified_by', 'cosigned_at', 'cosigned_by',
                    'overrides', 'state'):
            batch_op.drop_column(col)
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('concurrent_reason')
