"""Language names as spreadsheets write them in column headers (``label::French``), and the
ISO 639-1 codes we keep them under. XLSForm's own form is ``label::French (fr)``; older forms
and many Kobo forms give the name alone."""

from __future__ import annotations

import re

_TABLE = """
aa afar|ab abkhazian|af afrikaans|ak akan|am amharic|an aragonese|ar arabic|as assamese
av avaric|ay aymara|az azerbaijani|ba bashkir|be belarusian|bg bulgarian|bi bislama
bm bambara|bn bengali bangla|bo tibetan|br breton|bs bosnian|ca catalan|ce chechen|ch chamorro
co corsican|cr cree|cs czech|cv chuvash|cy welsh|da danish|de german|dv divehi dhivehi
dz dzongkha|ee ewe|el greek|en english|eo esperanto|es spanish castilian|et estonian|eu basque
fa persian farsi|ff fulah fula fulfulde|fi finnish|fj fijian|fo faroese|fr french
fy frisian|ga irish|gd gaelic|gl galician|gn guarani|gu gujarati|gv manx|ha hausa|he hebrew
hi hindi|ho hiri-motu|hr croatian|ht haitian creole|hu hungarian|hy armenian|hz herero
ia interlingua|id indonesian bahasa|ie interlingue|ig igbo|ii nuosu|ik inupiaq|io ido
is icelandic|it italian|iu inuktitut|ja japanese|jv javanese|ka georgian|kg kongo|ki kikuyu
kj kuanyama|kk kazakh|kl kalaallisut|km khmer|kn kannada|ko korean|kr kanuri|ks kashmiri
ku kurdish kurmanji|kv komi|kw cornish|ky kyrgyz|la latin|lb luxembourgish|lg ganda luganda
li limburgish|ln lingala|lo lao|lt lithuanian|lu luba-katanga|lv latvian|mg malagasy
mh marshallese|mi maori|mk macedonian|ml malayalam|mn mongolian|mr marathi|ms malay|mt maltese
my burmese|na nauru|nb bokmal norwegian|nd ndebele|ne nepali|ng ndonga|nl dutch flemish
nn nynorsk|no norsk|nr south-ndebele|nv navajo|ny chichewa chewa nyanja|oc occitan
oj ojibwe|om oromo afaan|or oriya odia|os ossetian|pa punjabi panjabi|pi pali|pl polish
ps pashto pushto|pt portuguese|qu quechua|rm romansh|rn kirundi rundi|ro romanian moldovan
ru russian|rw kinyarwanda|sa sanskrit|sc sardinian|sd sindhi|se sami|sg sango|si sinhala
sk slovak|sl slovenian|sm samoan|sn shona|so somali|sq albanian|sr serbian|ss swati
st sesotho sotho|su sundanese|sv swedish|sw swahili kiswahili|ta tamil|te telugu|tg tajik
th thai|ti tigrinya|tk turkmen|tl tagalog filipino|tn tswana setswana|to tonga|tr turkish
ts tsonga|tt tatar|tw twi|ty tahitian|ug uyghur uighur|uk ukrainian|ur urdu|uz uzbek
ve venda|vi vietnamese|vo volapuk|wa walloon|wo wolof|xh xhosa|yi yiddish|yo yoruba
za zhuang|zh chinese mandarin|zu zulu|prs dari|ckb sorani|tig tigre|luo dholuo
"""
# Names written in the language itself, as forms in the field often do.
_NATIVE = {
    "العربية": "ar",
    "عربي": "ar",
    "français": "fr",
    "francais": "fr",
    "español": "es",
    "espanol": "es",
    "português": "pt",
    "portugues": "pt",
    "deutsch": "de",
    "русский": "ru",
    "中文": "zh",
    "简体中文": "zh",
    "हिन्दी": "hi",
    "বাংলা": "bn",
    "اردو": "ur",
    "فارسی": "fa",
    "دری": "prs",
    "پښتو": "ps",
    "kurdî": "ku",
    "کوردی": "ckb",
    "ትግርኛ": "ti",
    "አማርኛ": "am",
    "soomaali": "so",
    "tiếng việt": "vi",
    "polski": "pl",
    "română": "ro",
    "shqip": "sq",
    "türkçe": "tr",
    "cymraeg": "cy",
    "kiswahili": "sw",
    "italiano": "it",
    "nederlands": "nl",
}

NAME_TO_CODE: dict[str, str] = {}
CODE_TO_NAME: dict[str, str] = {}
for _entry in re.split(r"[|\n]", _TABLE):
    _parts = _entry.split()
    if not _parts:
        continue
    _code, *_names = _parts
    CODE_TO_NAME[_code] = _names[0].replace("-", " ").title()
    for _name in _names:
        NAME_TO_CODE.setdefault(_name.replace("-", " "), _code)
for _name, _code in _NATIVE.items():
    NAME_TO_CODE.setdefault(_name, _code)

_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")


def language_of(text: str) -> tuple[str, str, bool]:
    """``(code, name, known)`` for a header's language part: ``English (en)``, ``English``,
    ``en`` or ``EN``. Unknown names get a private-use code (``x-klingon``) and ``known`` False."""
    text = " ".join(text.split())
    match = _WITH_CODE.match(text)
    if match:
        code = match["code"].replace("_", "-")
        base, _, region = code.partition("-")
        code = base.lower() + (f"-{region.upper()}" if region else "")
        return code, match["name"] or CODE_TO_NAME.get(base.lower(), code), True
    lowered = text.lower()
    shown = text.title() if text.islower() else text
    if lowered in NAME_TO_CODE:
        return NAME_TO_CODE[lowered], shown, True
    m = re.fullmatch(r"([a-z]{2,3})[-_]([a-z0-9]{2,4})", lowered)
    if m:
        code = f"{m[1]}-{m[2].upper()}"
        return code, CODE_TO_NAME.get(m[1], code), True
    if re.fullmatch(r"[a-z]{2,3}", lowered) and (lowered in CODE_TO_NAME or len(lowered) == 2):
        return lowered, CODE_TO_NAME.get(lowered, text), True
    first = lowered.split()[0] if lowered.split() else ""
    if first in NAME_TO_CODE:
        return NAME_TO_CODE[first], shown, True
    slug = re.sub(r"[^a-z0-9]+", "", lowered)[:8] or "lang"
    return f"x-{slug}", text, False
