"""Accounts, roles, credentials and the audit chain."""
