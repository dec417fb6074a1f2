"""Where parents' drafts are kept: SQLAlchemy models, the database and a small repository."""
