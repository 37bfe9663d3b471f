"""The score store: SQLAlchemy models, engine setup and migrations."""
