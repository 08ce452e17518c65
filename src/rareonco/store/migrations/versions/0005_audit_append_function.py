"""PostgreSQL: extend the audit chain in one server-side call, `audit_append(entries jsonb)`.

The function does what `security.audit.append_many` does in Python - lock the head row, hash
each entry over the previous hash and its fields, insert it, move the head - in one statement:
one round trip per group commit instead of five (BEGIN, take the sequence numbers, insert,
move the head, COMMIT), and the head row stays locked for microseconds, not for the round
trips between them. The hash is byte for byte the one `security.audit.entry_hash` computes
(JSON array of the same fields, compact, non-ASCII kept; PostgreSQL's to_json escapes strings
as Python's json module does), so `rareonco audit verify` checks entries from either path.
SQLite keeps the Python path.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AUDIT_APPEND = r"""
CREATE OR REPLACE FUNCTION audit_append(entries jsonb) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := jsonb_array_length(entries);
    next_seq integer;
    prev text;
    digest text;
    e jsonb;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    UPDATE audit_head SET seq = seq + n WHERE id = 1 RETURNING seq - n, hash INTO next_seq, prev;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_head has no row 1: the audit chain was not initialised';
    END IF;
    FOR e IN SELECT value FROM jsonb_array_elements(entries) LOOP
        next_seq := next_seq + 1;
        digest := encode(sha256(convert_to(
            '[' || to_json(prev)::text || ',' || next_seq::text
            || ',' || to_json(e->>'at')::text
            || ',' || coalesce(e->>'user_id', 'null')
            || ',' || to_json(e->>'username')::text
            || ',' || to_json(e->>'action')::text
            || ',' || to_json(e->>'resource')::text
            || ',' || to_json(e->>'client')::text
            || ',' || to_json(e->>'detail')::text || ']', 'UTF8')), 'hex');
        INSERT INTO audit_log (seq, at, user_id, username, action, resource, client, detail,
                               prev_hash, hash)
        VALUES (next_seq, (e->>'at')::timestamptz, (e->>'user_id')::integer, e->>'username',
                e->>'action', e->>'resource', e->>'client', e->>'detail', prev, digest);
        prev := digest;
    END LOOP;
    UPDATE audit_head SET hash = prev WHERE id = 1;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_APPEND)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_append(jsonb)")
