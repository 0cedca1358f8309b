"""Questionnaires shipped with the application (package data)."""
