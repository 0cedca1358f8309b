"""The worker's dashboard: figures of their own caseload, with definitions, charts and CSV."""

from .view import DashboardView, show_for_screenshot

__all__ = ["DashboardView", "show_for_screenshot"]
