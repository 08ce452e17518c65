"""Services over storage: each function takes a Session and an Actor, checks the rules,
writes the records and the audit entry in the same transaction."""
