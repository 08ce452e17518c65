"""Sort key on name tokens, so a name search sorts and pages within one index.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def sort_key(family_name_latin: str, given_names_latin: str, patient_id: int) -> str:
    """Frozen copy of the list order as this revision wrote it (migrations never import live
    code: `rareonco.records.patients.service.sort_key` may change, this revision may not)."""
    return f"{family_name_latin}\x1f{given_names_latin}\x1f{patient_id:010d}"


def upgrade() -> None:
    with op.batch_alter_table("patient_name_tokens") as batch:
        batch.add_column(sa.Column("sort_key", sa.String(length=400), nullable=False,
                                   server_default=""))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, family_name_latin, given_names_latin FROM patients")).fetchall()
    if rows:
        conn.execute(sa.text("UPDATE patient_name_tokens SET sort_key = :k WHERE patient_id = :p"),
                     [{"k": sort_key(fam, giv, pid), "p": pid} for pid, fam, giv in rows])
    op.create_index("ix_patient_name_tokens_token_sort", "patient_name_tokens",
                    ["token", "sort_key", "patient_id"])


def downgrade() -> None:
    op.drop_index("ix_patient_name_tokens_token_sort", table_name="patient_name_tokens")
    with op.batch_alter_table("patient_name_tokens") as batch:
        batch.drop_column("sort_key")
