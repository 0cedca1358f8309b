"""The languages a child may prefer: the code stored on the child, and the name people read.

One list for the laptop's child form and the PDF, so a worker never sees a bare code ("en").
The most common first languages of children in care and unaccompanied asylum-seeking children.
"""

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ar": "Arabic",
    "fa": "Persian (Farsi)",
    "ku": "Kurdish",
    "ps": "Pashto",
    "ti": "Tigrinya",
    "am": "Amharic",
    "so": "Somali",
    "vi": "Vietnamese",
    "sq": "Albanian",
    "pl": "Polish",
    "ro": "Romanian",
    "ur": "Urdu",
    "pa": "Punjabi",
    "bn": "Bengali",
    "gu": "Gujarati",
    "tr": "Turkish",
    "pt": "Portuguese",
    "lt": "Lithuanian",
    "fr": "French",
    "es": "Spanish",
    "yo": "Yoruba",
    "tw": "Twi",
    "zh": "Chinese",
}


def language_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a picker: English first, the rest by name."""
    rest = sorted((item for item in LANGUAGE_NAMES.items() if item[0] != "en"), key=lambda i: i[1])
    return [("en", LANGUAGE_NAMES["en"]), *rest]
