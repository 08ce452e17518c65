"""audit: indexes for the auditor's filters (user, action, time) and code-point order of
resources on PostgreSQL

The auditor's page reads the newest entries first, one page at a time by sequence number
(keyset pagination). With (username, seq) and (action, seq) a filter by user or action reads
its page straight from an index in that order instead of scanning the log; ``at`` is indexed
for time ranges. A patient's entries are found by resource prefix ranges (``patient/12``,
``patient/12/...``); on PostgreSQL the resource column takes the "C" collation so that those
ranges are code-point ranges, as on SQLite, whatever the database's own collation.
See benchmarks/audit_query.py for the figures at 1M rows.

Revision ID: audit_0001
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "audit_0001"
down_revision = "0005"
branch_labels = ("audit",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_username_seq", "audit_log", ["username", "seq"])
    op.create_index("ix_audit_log_action_seq", "audit_log", ["action", "seq"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_log", "resource", type_=sa.String(200, collation="C"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_log", "resource", type_=sa.String(200))
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_action_seq", table_name="audit_log")
    op.drop_index("ix_audit_log_username_seq", table_name="audit_log")
