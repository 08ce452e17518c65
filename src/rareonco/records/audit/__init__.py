"""The auditor's queries over the audit chain: filtered pages (keyset), exports, verification."""
