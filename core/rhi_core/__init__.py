"""rhi-core: what the laptop and the central store must agree on, written once.

Domain rules and code lists, the questionnaire engine, the figures and statutory returns, the
wire protocol, canonical JSON and hashes, and the synthetic demo data. Pure Python: no Qt, no
SQLAlchemy, no HTTP (enforced by import-linter).
"""
