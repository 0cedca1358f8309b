"""Read a form definition from YAML, keeping the line of every mapping and key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from rhi_core.forms.errors import FormError, FormLoadError, Place
from rhi_core.forms.located import Located
from rhi_core.forms.schema import FormDefinition


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds ``Located`` mappings and reports duplicate keys instead of
    silently keeping the last one (a classic way to lose a question in a long form)."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.problems: list[FormError] = []

    def construct_located(self, node: yaml.MappingNode) -> Iterator[Located]:
        mapping = Located(Place(self.file, line=node.start_mark.line + 1))
        yield mapping  # lets recursive structures resolve, as PyYAML's own constructors do
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                self.problems.append(
                    FormError("mapping keys must be plain words", self._place(key_node))
                )
                continue
            key = str(key)
            if key in mapping:
                self.problems.append(
                    FormError(f"duplicate key '{key}' in the same mapping", self._place(key_node))
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_places[key] = self._place(key_node)

    def _place(self, node: yaml.Node) -> Place:
        return Place(self.file, line=node.start_mark.line + 1)


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _LineLoader.construct_located,
)


def read_yaml(text: str, file: str) -> tuple[Any, list[FormError]]:
    """Parse YAML text into Located data; syntax problems come back as FormErrors."""
    loader = _LineLoader(text, file)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [FormError(f"this is not valid YAML: {problem}", Place(file, line=line))]
    except yaml.YAMLError as exc:
        return None, [FormError(f"this is not valid YAML: {exc}", Place(file))]
    finally:
        loader.dispose()
    return data, loader.problems


def load_yaml_text(text: str, file: str = "<string>") -> FormDefinition:
    """Build a form from YAML text; raises FormLoadError listing every problem."""
    from rhi_core.forms.build import build_form

    data, problems = read_yaml(text, file)
    if data is None and problems:
        raise FormLoadError(problems)
    form, errors = build_form(data, file)
    errors = problems + errors
    if errors or form is None:
        raise FormLoadError(errors or [FormError("the form is empty", Place(file))])
    return form


def load_yaml(path: str | Path) -> FormDefinition:
    """Load a YAML form file; raises FormLoadError (also for unreadable files)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormLoadError([FormError("the file does not exist", Place(str(path)))]) from None
    except UnicodeDecodeError:
        raise FormLoadError([FormError("the file is not UTF-8 text", Place(str(path)))]) from None
    except OSError as exc:
        msg = f"the file cannot be read ({exc.strerror or exc})"
        raise FormLoadError([FormError(msg, Place(str(path)))]) from None
    return load_yaml_text(text, str(path))
