"""Storage: SQLAlchemy 2 engine and session (`db`), tables (`tables`), Alembic migrations."""
