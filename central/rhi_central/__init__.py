"""rhi-central: the council's central store for RHI Desktop (FastAPI + SQLAlchemy)."""

__version__ = "0.1.0"
