"""The warehouse model (SQLAlchemy Core tables and alembic migrations) and the input contracts."""
