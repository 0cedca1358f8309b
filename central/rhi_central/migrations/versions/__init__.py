"""Alembic revisions of the central schema (a package so the wheel ships them)."""
