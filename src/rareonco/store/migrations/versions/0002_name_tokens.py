"""Name tokens for indexed prefix search; indexes for country filters and sorting.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_name_tokens",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("patient_id", "token"),
    )
    op.create_index("ix_patient_name_tokens_token", "patient_name_tokens",
                    ["token", "patient_id"])
    op.create_index("ix_patients_citizenship", "patients", ["citizenship"])
    op.create_index("ix_patients_sort", "patients",
                    ["family_name_latin", "given_names_latin", "id"])
    # Tokens for the patients already on file.
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name_search FROM patients")).fetchall()
    tokens = [{"p": pid, "t": tok} for pid, text in rows for tok in sorted(set(text.split()))]
    if tokens:
        conn.execute(sa.text("INSERT INTO patient_name_tokens (patient_id, token) "
                             "VALUES (:p, :t)"), tokens)


def downgrade() -> None:
    op.drop_index("ix_patients_sort", table_name="patients")
    op.drop_index("ix_patients_citizenship", table_name="patients")
    op.drop_index("ix_patient_name_tokens_token", table_name="patient_name_tokens")
    op.drop_table("patient_name_tokens")
