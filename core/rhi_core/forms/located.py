"""Raw form data with the places it came from, shared by the YAML and XLSForm readers.

Both readers produce nested ``Located`` dicts (one per form, section, question, choice...) whose
keys carry their own places, so the single validator in build.py can point at the exact YAML line
or spreadsheet cell of every problem.
"""

from __future__ import annotations

from typing import Any

from rhi_core.forms.errors import Place


class Located(dict[str, Any]):
    """A mapping that remembers where it, and each of its keys, came from."""

    def __init__(self, place: Place, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place = place
        self.key_places: dict[str, Place] = {}

    def place_of(self, key: str) -> Place:
        return self.key_places.get(key, self.place)
