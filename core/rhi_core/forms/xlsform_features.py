"""Every XLSForm feature (xlsform.org), and what importing it into a laptop questionnaire does.

One table drives both the importer's messages and the feature table in docs/forms.md (a test
keeps them in step). Statuses:

- ``supported``: read and rendered as ODK would.
- ``laptop``: read in a form that suits a laptop (a geopoint becomes an address question); the
  import warns, once, naming the rows.
- ``no effect``: accepted; it changes nothing on a laptop (phone-only layout hints).
- ``ignored``: left out with one warning naming the rows, saying what is lost.
- ``refused``: the form is not imported; one error per feature names the rows and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED = "supported"
LAPTOP = "laptop"
NO_EFFECT = "no effect"
IGNORED = "ignored"
REFUSED = "refused"


@dataclass(frozen=True)
class Feature:
    kind: str  # "type", "column", "setting", "sheet", "appearance", "function"
    name: str
    status: str
    effect: str  # what happens to it here
    fix: str = ""  # how to change the sheet (for laptop, ignored and refused features)

    def message(self, where: str) -> str:
        """One sentence for the designer: the feature, the rows using it, what happens."""
        what = {
            "type": "type",
            "column": "column",
            "setting": "setting",
            "sheet": "sheet",
            "appearance": "appearance",
            "function": "function",
        }[self.kind]
        shown = f"{self.name}()" if self.kind == "function" else f"'{self.name}'"
        text = f"{what} {shown} ({where}): {self.effect}"
        return f"{text}; {self.fix}" if self.fix else text


_NOT_ON_LAPTOP = "a laptop cannot capture it"
_EXTERNAL = "it reads data files that are not in the spreadsheet"

FEATURES: tuple[Feature, ...] = (
    # -- question types ---------------------------------------------------------------------
    Feature("type", "text", SUPPORTED, "one line of text (multiline appearance: several lines)"),
    Feature("type", "integer", SUPPORTED, "whole number"),
    Feature("type", "decimal", SUPPORTED, "number"),
    Feature("type", "range", SUPPORTED, "a slider with a number box; parameters start, end, step"),
    Feature("type", "date", SUPPORTED, "date"),
    Feature("type", "time", SUPPORTED, "time of day"),
    Feature("type", "dateTime", SUPPORTED, "date and time"),
    Feature("type", "select_one", SUPPORTED, "radio buttons, or a drop-down for long lists"),
    Feature("type", "select_multiple", SUPPORTED, "tick boxes"),
    Feature("type", "or_other", SUPPORTED, "adds the 'other' choice and its free-text question"),
    Feature("type", "rank", SUPPORTED, "the choices put in order (moved up and down)"),
    Feature("type", "note", SUPPORTED, "text shown, nothing asked"),
    Feature("type", "acknowledge", SUPPORTED, "a tick box; the answer is OK"),
    Feature("type", "calculate", SUPPORTED, "hidden calculated value"),
    Feature("type", "hidden", SUPPORTED, "a hidden value (kept as a calculate)"),
    Feature(
        "type",
        "image",
        SUPPORTED,
        "a picture chosen from the laptop, kept in the encrypted store, printed in the PDF and "
        "sent with the record",
    ),
    Feature(
        "type",
        "file",
        SUPPORTED,
        "a file chosen from the laptop, kept in the encrypted store, attached to the PDF and "
        "sent with the record",
    ),
    Feature("type", "begin_group", SUPPORTED, "top-level groups are the interview's pages"),
    Feature("type", "begin_repeat", SUPPORTED, "entries added by the worker (nested too)"),
    Feature(
        "type",
        "start",
        SUPPORTED,
        "when the interview was started (filled in by the app)",
    ),
    Feature("type", "end", SUPPORTED, "when the interview was completed (filled in by the app)"),
    Feature("type", "today", SUPPORTED, "the day the interview was started"),
    Feature("type", "deviceid", SUPPORTED, "the laptop's device id (imei is read as deviceid)"),
    Feature("type", "username", SUPPORTED, "the worker's name"),
    Feature(
        "type",
        "geopoint",
        LAPTOP,
        "asked as text: an address, postcode or what3words (a laptop has no GPS)",
        "change the type to text to say so yourself",
    ),
    Feature(
        "type",
        "geotrace",
        LAPTOP,
        "asked as text: the route in words (a laptop has no GPS)",
        "change the type to text to say so yourself",
    ),
    Feature(
        "type",
        "geoshape",
        LAPTOP,
        "asked as text: the area in words (a laptop has no GPS)",
        "change the type to text to say so yourself",
    ),
    Feature(
        "type",
        "barcode",
        LAPTOP,
        "asked as text: the code is typed (a laptop has no scanner)",
        "change the type to text to say so yourself",
    ),
    Feature(
        "type",
        "audio",
        LAPTOP,
        "asked as a file: a recording is attached, not recorded by the app",
        "change the type to file to say so yourself",
    ),
    Feature(
        "type",
        "video",
        LAPTOP,
        "asked as a file: a video is attached, not recorded by the app",
        "change the type to file to say so yourself",
    ),
    Feature(
        "type",
        "background-audio",
        REFUSED,
        "recording an interview in the background is not offered",
        "remove the row",
    ),
    Feature("type", "osm", REFUSED, "OpenStreetMap widgets need a phone app", "remove the row"),
    Feature(
        "type",
        "select_one_from_file",
        REFUSED,
        _EXTERNAL,
        "copy the choices into the choices sheet and use select_one",
    ),
    Feature(
        "type",
        "select_multiple_from_file",
        REFUSED,
        _EXTERNAL,
        "copy the choices into the choices sheet and use select_multiple",
    ),
    Feature(
        "type",
        "select_one_external",
        SUPPORTED,
        "a select_one whose choices are on the workbook's external_choices sheet",
    ),
    Feature("type", "csv-external", REFUSED, _EXTERNAL, "remove the row and its pulldata()"),
    Feature("type", "xml-external", REFUSED, _EXTERNAL, "remove the row"),
    Feature(
        "type",
        "begin_loop",
        SUPPORTED,
        "one group per choice of the list, its questions named question_choice",
    ),
    Feature("type", "phonenumber", IGNORED, "left out: a laptop has no phone number"),
    Feature("type", "simserial", IGNORED, "left out: a laptop has no SIM card"),
    Feature("type", "subscriberid", IGNORED, "left out: a laptop has no SIM card"),
    Feature("type", "email", IGNORED, "left out: the worker's e-mail is not recorded"),
    Feature("type", "audit", IGNORED, "left out: the app keeps its own audit trail"),
    Feature("type", "start-geopoint", IGNORED, "left out: a laptop has no GPS"),
    Feature("type", "background-geopoint", IGNORED, "left out: a laptop has no GPS"),
    # -- survey columns ---------------------------------------------------------------------
    Feature("column", "type", SUPPORTED, "the question type (case-insensitive, old aliases too)"),
    Feature("column", "name", SUPPORTED, "the answer's name, unique in the form"),
    Feature("column", "label", SUPPORTED, "label::Language (code), label:Language or label"),
    Feature("column", "hint", SUPPORTED, "shown under the label"),
    Feature("column", "guidance_hint", SUPPORTED, "shown to the worker only, never to the child"),
    Feature("column", "required", SUPPORTED, "yes/no or an expression"),
    Feature("column", "required_message", SUPPORTED, "the message when it is missing"),
    Feature("column", "relevant", SUPPORTED, "skip logic"),
    Feature("column", "constraint", SUPPORTED, "validation, '.' is the answer"),
    Feature("column", "constraint_message", SUPPORTED, "the message when it fails"),
    Feature("column", "calculation", SUPPORTED, "calculated value"),
    Feature("column", "default", SUPPORTED, "the value a new interview starts with"),
    Feature("column", "read_only", SUPPORTED, "shown, not editable"),
    Feature("column", "appearance", SUPPORTED, "see the appearances below"),
    Feature("column", "choice_filter", SUPPORTED, "cascading selects: the choices offered"),
    Feature("column", "repeat_count", SUPPORTED, "the number of entries of a repeat"),
    Feature("column", "parameters", SUPPORTED, "range start, end and step"),
    Feature("column", "disabled", SUPPORTED, "a row with disabled = yes is left out"),
    Feature("column", "label_yp", SUPPORTED, "ours: the young person's wording"),
    Feature("column", "worker_only", SUPPORTED, "ours: never shown in young-person mode"),
    Feature("column", "rhi_type", SUPPORTED, "ours: long_text, yes_no, scale, other text"),
    Feature(
        "column",
        "media",
        IGNORED,
        "pictures, audio and video in labels are left out: the files are not in the spreadsheet",
        "put what matters in the label text",
    ),
    Feature("column", "autoplay", IGNORED, "left out (media labels are not shown)"),
    Feature(
        "column",
        "trigger",
        IGNORED,
        "the calculation is kept up to date all the time instead of on a trigger",
        "remove the trigger column if that is what you want",
    ),
    Feature(
        "column",
        "dynamic default",
        REFUSED,
        "a default that is an expression is not supported",
        "use a calculation, or a plain value as the default",
    ),
    Feature("column", "body::*", IGNORED, "extra XForm body attributes are left out"),
    Feature("column", "bind::*", IGNORED, "extra XForm bind attributes are left out"),
    Feature("column", "instance::*", IGNORED, "extra instance attributes are left out"),
    Feature("column", "rows", NO_EFFECT, "text boxes grow to fit"),
    Feature("column", "save_to", IGNORED, "ODK entities are not created"),
    Feature("column", "sms_field", IGNORED, "SMS submission is not used"),
    Feature("column", "unknown columns", IGNORED, "left out (one warning lists them)"),
    # -- choices sheet ----------------------------------------------------------------------
    Feature("column", "list_name", SUPPORTED, "choices sheet; 'list name' is read too"),
    Feature("column", "filter columns", SUPPORTED, "choices sheet: columns a choice_filter reads"),
    # -- settings ---------------------------------------------------------------------------
    Feature("setting", "form_title", SUPPORTED, "the title (alias title); the form id if absent"),
    Feature("setting", "form_id", SUPPORTED, "the id (alias id_string); the file name if absent"),
    Feature(
        "setting",
        "version",
        SUPPORTED,
        "the version; if absent, one made from the form's content (auto-…)",
    ),
    Feature("setting", "default_language", SUPPORTED, "language of plain label/hint columns"),
    Feature("setting", "instance_name", SUPPORTED, "the record's title"),
    Feature("setting", "style", NO_EFFECT, "web-form themes; the laptop has its own layout"),
    Feature(
        "setting",
        "public_key",
        IGNORED,
        "not used: records are encrypted on the laptop and in transit by the app itself",
    ),
    Feature("setting", "submission_url", IGNORED, "not used: records go to the council's store"),
    Feature("setting", "auto_send", NO_EFFECT, "records sync by themselves"),
    Feature("setting", "auto_delete", NO_EFFECT, "retention is set by the council"),
    Feature("setting", "allow_choice_duplicates", NO_EFFECT, "choice values must stay unique"),
    Feature("setting", "clean_text_values", NO_EFFECT, "text is trimmed anyway"),
    Feature("setting", "omit_instanceid", NO_EFFECT, "records have their own ids"),
    Feature("setting", "namespaces", NO_EFFECT, "XForm namespaces are not needed"),
    Feature("setting", "other settings", IGNORED, "left out (one warning lists them)"),
    # -- sheets -----------------------------------------------------------------------------
    Feature("sheet", "survey", SUPPORTED, "the questions"),
    Feature("sheet", "choices", SUPPORTED, "the choice lists"),
    Feature("sheet", "settings", SUPPORTED, "form id, version, title, languages"),
    Feature("sheet", "risk_flags", SUPPORTED, "ours: safeguarding flags and their prompts"),
    Feature(
        "sheet",
        "external_choices",
        SUPPORTED,
        "choice lists for select_one_external (read like the choices sheet)",
    ),
    Feature("sheet", "entities", IGNORED, "ODK entities are not created"),
    Feature("sheet", "osm", IGNORED, "OpenStreetMap tags are not used"),
    # -- appearances ------------------------------------------------------------------------
    Feature("appearance", "field-list", SUPPORTED, "a group on one page (every page is one)"),
    Feature("appearance", "minimal", SUPPORTED, "a drop-down list"),
    Feature("appearance", "autocomplete", SUPPORTED, "a drop-down you can type into"),
    Feature("appearance", "search", SUPPORTED, "a drop-down you can type into (no arguments)"),
    Feature(
        "appearance",
        "search()",
        REFUSED,
        "search('file') reads choices from a CSV file that is not in the spreadsheet",
        "copy the choices into the choices sheet and use the search appearance alone",
    ),
    Feature("appearance", "horizontal", SUPPORTED, "choices side by side"),
    Feature("appearance", "horizontal-compact", SUPPORTED, "choices side by side"),
    Feature("appearance", "columns", SUPPORTED, "choices in columns (columns-2 … columns-5 too)"),
    Feature("appearance", "columns-pack", SUPPORTED, "choices side by side"),
    Feature("appearance", "likert", SUPPORTED, "a row of points"),
    Feature("appearance", "multiline", SUPPORTED, "a text box of several lines"),
    Feature("appearance", "no-calendar", SUPPORTED, "date typed in boxes, no calendar pop-up"),
    Feature("appearance", "month-year", SUPPORTED, "month and year only"),
    Feature("appearance", "year", SUPPORTED, "year only"),
    Feature("appearance", "masked", SUPPORTED, "text hidden as it is typed"),
    Feature(
        "appearance",
        "hidden",
        SUPPORTED,
        "the question is not shown; its default or calculation is its value",
    ),
    Feature("appearance", "picker", SUPPORTED, "range as a number box"),
    Feature("appearance", "quick", NO_EFFECT, "pages show every question; nothing to advance"),
    Feature("appearance", "numbers", NO_EFFECT, "the laptop has a keyboard"),
    Feature("appearance", "thousands-sep", NO_EFFECT, "numbers are shown as typed"),
    Feature("appearance", "compact", NO_EFFECT, "choices are shown in full"),
    Feature("appearance", "no-ticks", NO_EFFECT, "the range slider has no ticks anyway"),
    Feature("appearance", "vertical", NO_EFFECT, "the range slider is horizontal"),
    Feature("appearance", "rating", NO_EFFECT, "range shown as a slider"),
    Feature("appearance", "w1 … w10", NO_EFFECT, "web-form grid widths"),
    Feature(
        "appearance",
        "table-list",
        NO_EFFECT,
        "the group's questions are shown one under another",
    ),
    Feature("appearance", "label", NO_EFFECT, "part of a table-list; shown as usual"),
    Feature("appearance", "list-nolabel", NO_EFFECT, "part of a table-list; shown as usual"),
    Feature("appearance", "list", NO_EFFECT, "part of a table-list; shown as usual"),
    Feature(
        "appearance",
        "signature",
        IGNORED,
        "the picture is chosen from a file (signatures are taken in the record's own step)",
    ),
    Feature("appearance", "draw", IGNORED, "the picture is chosen from a file"),
    Feature("appearance", "annotate", IGNORED, "the picture is chosen from a file"),
    Feature("appearance", "new", IGNORED, "the picture or file is chosen from the laptop"),
    Feature("appearance", "new-front", IGNORED, "the picture is chosen from the laptop"),
    Feature("appearance", "new-rear", IGNORED, "the picture is chosen from the laptop"),
    Feature(
        "appearance",
        "calendars",
        IGNORED,
        "dates use the Gregorian calendar (ethiopian, "
        "coptic, islamic, bikram-sambat, myanmar, persian)",
    ),
    Feature("appearance", "map", IGNORED, "no map on a laptop (placement-map, maps too)"),
    Feature("appearance", "external apps", IGNORED, "ex:… and printer:… need phone apps"),
    Feature("appearance", "other appearances", IGNORED, "left out (one warning per appearance)"),
)

BY_KEY: dict[tuple[str, str], Feature] = {(f.kind, f.name): f for f in FEATURES}


def feature(kind: str, name: str) -> Feature:
    return BY_KEY[(kind, name)]


# -- how spreadsheet words map to features --------------------------------------------------

CALENDAR_APPEARANCES = frozenset(
    {"ethiopian", "coptic", "islamic", "bikram-sambat", "myanmar", "persian"}
)
MAP_APPEARANCES = frozenset({"map", "placement-map", "maps"})
SUPPORTED_APPEARANCES = (
    frozenset(
        f.name for f in FEATURES if f.kind == "appearance" and f.status in (SUPPORTED, NO_EFFECT)
    )
    | {f"columns-{n}" for n in range(1, 11)}
    | {f"w{n}" for n in range(1, 11)}
)


def appearance_feature(word: str) -> Feature:
    """The feature an appearance word belongs to."""
    lowered = word.lower()
    if lowered in SUPPORTED_APPEARANCES:
        name = (
            "columns"
            if lowered.startswith("columns-") and lowered != "columns-pack"
            else ("w1 … w10" if lowered.startswith("w") and lowered[1:].isdigit() else lowered)
        )
        return BY_KEY.get(("appearance", name), feature("appearance", "field-list"))
    if lowered in CALENDAR_APPEARANCES:
        return feature("appearance", "calendars")
    if lowered in MAP_APPEARANCES:
        return feature("appearance", "map")
    if lowered.startswith(("ex:", "printer:")):
        return feature("appearance", "external apps")
    if ("appearance", lowered) in BY_KEY:
        return BY_KEY[("appearance", lowered)]
    return Feature(
        "appearance",
        word,
        IGNORED,
        "not an appearance a laptop can show; left out",
        "remove it, or see docs/forms.md for the appearances that work here",
    )


# Ordinary XLSForm settings that change nothing here (no warning).
QUIET_SETTINGS = frozenset(
    f.name for f in FEATURES if f.kind == "setting" and f.status in (SUPPORTED, NO_EFFECT)
)
