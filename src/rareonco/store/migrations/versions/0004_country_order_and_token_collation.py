"""Country indexes in list order; name tokens compared by code point on PostgreSQL.

A search by country reads its first page in order from (country, family, given, id) instead
of sorting every patient of the country. On PostgreSQL the token and sort-key columns take the
"C" collation, so that prefix ranges and list order are the same as on SQLite whatever the
database's own collation is.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ORDER = ["family_name_latin", "given_names_latin", "id"]


def upgrade() -> None:
    op.drop_index("ix_patients_residence", table_name="patients")
    op.drop_index("ix_patients_citizenship", table_name="patients")
    op.create_index("ix_patients_residence_sort", "patients", ["residence_country", *_ORDER])
    op.create_index("ix_patients_citizenship_sort", "patients", ["citizenship", *_ORDER])
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("patient_name_tokens", "token", type_=sa.String(120, collation="C"))
        op.alter_column("patient_name_tokens", "sort_key", type_=sa.String(400, collation="C"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("patient_name_tokens", "sort_key", type_=sa.String(400))
        op.alter_column("patient_name_tokens", "token", type_=sa.String(120))
    op.drop_index("ix_patients_citizenship_sort", table_name="patients")
    op.drop_index("ix_patients_residence_sort", table_name="patients")
    op.create_index("ix_patients_citizenship", "patients", ["citizenship"])
    op.create_index("ix_patients_residence", "patients", ["residence_country"])
