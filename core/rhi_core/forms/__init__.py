"""Questionnaire engine: form definitions as data (YAML or XLSForm), expressions, evaluation.

Pure Python: no Qt, no storage. See docs/forms.md for the file format and the evaluation API.
"""

from rhi_core.forms.bundled import BUILTIN_FORMS, builtin_path, load_builtin
from rhi_core.forms.errors import FormError, FormLoadError, Place
from rhi_core.forms.evaluate import (
    Evaluation,
    FormState,
    InstanceState,
    Problem,
    QuestionState,
    SectionProgress,
    completion_problems,
    evaluate,
)
from rhi_core.forms.labels import (
    choice_label,
    language_shown,
    text_direction,
    text_in,
    visible_hint,
    visible_label,
    worker_guidance,
)
from rhi_core.forms.load import check_file, load_form
from rhi_core.forms.loader_yaml import load_yaml, load_yaml_text
from rhi_core.forms.risk import RiskFlag, compute_risk_flags
from rhi_core.forms.schema import (
    Choice,
    FormDefinition,
    Group,
    Item,
    Language,
    Question,
    RiskFlagDef,
    Text,
)

__all__ = [
    "BUILTIN_FORMS",
    "Choice",
    "Evaluation",
    "FormDefinition",
    "FormError",
    "FormLoadError",
    "FormState",
    "Group",
    "InstanceState",
    "Item",
    "Language",
    "Place",
    "Problem",
    "Question",
    "QuestionState",
    "RiskFlag",
    "RiskFlagDef",
    "SectionProgress",
    "Text",
    "builtin_path",
    "check_file",
    "choice_label",
    "completion_problems",
    "compute_risk_flags",
    "evaluate",
    "language_shown",
    "load_builtin",
    "load_form",
    "load_yaml",
    "load_yaml_text",
    "text_direction",
    "text_in",
    "visible_hint",
    "visible_label",
    "worker_guidance",
]
