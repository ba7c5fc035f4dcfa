"""Storage: SQLAlchemy models, the database wrapper and repositories (all queries live here)."""
