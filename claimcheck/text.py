"""Text helpers the checks share: normalisation, words with offsets, sentences, numbers, word lists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple
from functools import cached_property, lru_cache

# --- word lists -------------------------------------------------------------------------------
# All entries are normalised (lower case, straight apostrophes); compare them with Token.norm.

NEGATIONS: frozenset[str] = frozenset(
    {
        "not", "no", "never", "without", "none", "neither", "nor", "cannot", "non", "nothing",
        "nobody", "nowhere", "lack", "lacks", "lacked", "lacking", "fail", "fails", "failed", "failing",
    }
)
"""Words that negate what follows; contractions ending in "n't" count too (see ``is_negation``)."""

NEGATION_PREFIXES: tuple[str, ...] = ("non", "un", "in", "im", "il", "ir", "dis")
"""Prefixes that turn a word into its opposite (effective / ineffective, significant / nonsignificant)."""

HEDGES: frozenset[str] = frozenset(
    {
        "may", "might", "could", "possibly", "possible", "perhaps", "probably", "probable", "likely",
        "unlikely", "potentially", "potential", "suggest", "suggests", "suggested", "suggesting",
        "suggestive", "appear", "appears", "appeared", "apparently", "seem", "seems", "seemed",
        "presumably", "uncertain", "unclear", "tentative", "tentatively", "preliminary", "speculative",
    }
)
"""Words that soften a statement's certainty."""

QUALIFIERS: frozenset[str] = frozenset(
    {
        "slightly", "slight", "somewhat", "modest", "modestly", "marginally", "marginal", "partially",
        "partly", "some", "only", "limited", "trend", "trends", "tended", "tend", "tends", "borderline",
        "mildly", "minimal", "minimally",
    }
)
"""Words that narrow a statement's scope or size (only, some, slightly, limited ...)."""

WEAK_EVIDENCE: frozenset[str] = frozenset({"low", "very", "weak", "insufficient", "moderate", "inconclusive"})
"""Adjectives that qualify only when they grade evidence ("low-quality evidence", "weak evidence")."""

EVIDENCE_WORDS: frozenset[str] = frozenset({"quality", "certainty", "evidence", "confidence"})
"""The nouns after which a WEAK_EVIDENCE word is a qualifier."""

INTENSIFIERS: frozenset[str] = frozenset(
    {
        "significantly", "significant", "strongly", "strong", "greatly", "substantially", "substantial",
        "markedly", "marked", "dramatically", "dramatic", "considerably", "highly", "clearly",
        "definitely", "definitively", "conclusively", "always", "all", "every", "completely", "entirely",
        "fully", "proven", "prove", "proves", "proved", "confirm", "confirms", "confirmed", "cure", "cures",
        "cured", "very", "major", "robust",
    }
)
"""Words that inflate a statement's certainty or size (significantly, clearly, all, proves ...)."""

COMPARATIVES: frozenset[str] = frozenset(
    {
        "more", "less", "fewer", "most", "least", "higher", "lower", "greater", "smaller", "larger",
        "bigger", "better", "worse", "best", "worst", "highest", "lowest", "greatest", "than", "versus",
        "vs", "compared", "superior", "inferior",
    }
)
"""Words that compare (more, less, higher, lower, than, versus ...)."""

AUXILIARIES: frozenset[str] = frozenset(
    {
        "be", "been", "being", "is", "are", "was", "were", "am", "do", "does", "did", "has", "have",
        "had", "will", "would", "shall", "should", "to",
    }
)
"""Auxiliary verbs that stand between a modal or negation and its verb ("may not have been")."""

UNITS: frozenset[str] = frozenset(
    {
        "percent", "%", "mg", "g", "kg", "ug", "µg", "mcg", "ng", "ml", "l", "dl", "mmol", "umol", "mol",
        "mmhg", "cm", "mm", "m", "km", "h", "hr", "hrs", "hour", "hours", "min", "mins", "minute",
        "minutes", "s", "sec", "second", "seconds", "day", "days", "week", "weeks", "month", "months",
        "year", "years", "kcal", "cal", "iu", "bpm", "fold", "times", "points", "kda", "nm", "um",
    }
)
"""Units a number may carry; a changed unit changes the number's meaning."""

SENTENCE_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "al", "vs", "e.g", "i.e", "cf", "fig", "figs", "eq", "ref", "refs", "no", "nos", "vol", "dr",
        "mr", "mrs", "ms", "prof", "st", "approx", "ca", "resp", "incl", "inc", "ltd", "co", "jr", "sr",
        "dept", "univ", "sp", "spp", "var", "subsp", "ed", "eds", "viz", "est",
    }
)
"""Words whose trailing full stop does not end a sentence ("et al.", "vs.", "i.e.")."""

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
"""Number words and their values; scales (hundred, thousand ...) are in SCALE_WORDS."""

SCALE_WORDS: dict[str, int] = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
"""Number words that multiply what precedes them."""

# --- normalisation ----------------------------------------------------------------------------

_CHARACTER_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
        "\u00bb": '"', "\u2039": "'", "\u203a": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)


def normalize(text: str) -> str:
    """Normalise text for comparison: NFKC, straight quotes, ASCII hyphens, single spaces, case-folded."""
    result = text
    for _ in range(4):
        # A second pass settles the rare characters whose case folding is not itself NFKC-stable.
        previous = result
        result = unicodedata.normalize("NFKC", result).translate(_CHARACTER_MAP)
        result = " ".join(result.split()).casefold()
        if result == previous:
            break
    return result


@lru_cache(maxsize=65536)
def normalize_word(word: str) -> str:
    """Normalise one word (cached: the same words recur in every abstract)."""
    if word.isascii():
        return word.replace("`", "'").lower()
    return normalize(word)


# --- British and American spelling ------------------------------------------------------------

_SPELLING_STEMS: tuple[tuple[str, str], ...] = (
    ("aemia", "emia"), ("aemic", "emic"), ("haem", "hem"), ("paed", "ped"), ("anaes", "anes"),
    ("aetiol", "etiol"), ("gynaec", "gynec"), ("faec", "fec"), ("caesar", "cesar"), ("oedem", "edem"),
    ("oesoph", "esoph"), ("oestr", "estr"), ("rrhoea", "rrhea"), ("foet", "fet"), ("coeliac", "celiac"),
    ("pnoea", "pnea"), ("manoeuv", "maneuv"), ("homoeo", "homeo"), ("ageing", "aging"), ("sulph", "sulf"),
    ("catalogue", "catalog"), ("analogue", "analog"), ("grey", "gray"),
    ("enrolment", "enrollment"), ("skilful", "skillful"), ("instalment", "installment"),
    ("judgement", "judgment"), ("acknowledgement", "acknowledgment"), ("defence", "defense"),
    ("licence", "license"), ("offence", "offense"), ("pretence", "pretense"), ("aluminium", "aluminum"),
    ("mould", "mold"), ("tyre", "tire"), ("plough", "plow"), ("cheque", "check"),
)
_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z]{4})is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing|al|able|ite|ites|ful|less)?$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{2})([bt])re(s|d)?$"), r"\1er\2"),
    (re.compile(r"^programme(s)?$"), r"program\1"),
    (re.compile(r"^fulfil(s|ment|ments)?$"), r"fulfill\1"),
    (
        re.compile(
            r"^(model|label|travel|cancel|signal|counsel|fuel|total|channel|level|tunnel|dial|marvel|"
            r"rival|equal|jewel|pedal|shovel|quarrel|initial|program)l(ing|ed|er|ers)$"
        ),
        r"\1\2",
    ),
)
_SPELLING_ENDINGS = ("e", "es", "ed", "ing", "ation", "ations", "er", "ers", "our", "ours", "al", "able", "ite",
                     "ites", "ful", "less", "re", "res", "red", "mes", "il", "ils", "ment", "ments")
# Words the rules above would wrongly respell: -ise, -our and -re that are not British variants.
_SAME_IN_AMERICAN = re.compile(
    r"^(?:exerc|superv|comprom|surpr|enterpr|expert|franch|merchand|prem|prom|prec|conc|otherw|likew|clockw"
    r"|disgu|compr|telev|improv|chast|desp|circumc|treat|parad|advert|revis)is"
    r"|^(?:fl|sc|cont|det|dev|vel|am|param|troubad|glam)our"
    r"|^(?:macab|timb)re"
)


@lru_cache(maxsize=65536)
def american_spelling(word: str) -> str:
    """The American spelling of a normalised word (utilisation -> utilization, tumour -> tumor)."""
    result = _respell(word)
    for _ in range(3):
        # Respelling can uncover another British pattern; repeat until nothing changes.
        if result == word:
            break
        word, result = result, _respell(result)
    return result


def _respell(word: str) -> str:
    result = word
    for british, american in _SPELLING_STEMS:
        if british in result:
            result = result.replace(british, american)
    if result.endswith(_SPELLING_ENDINGS) and not _SAME_IN_AMERICAN.match(result):
        for pattern, replacement in _SPELLING_RULES:
            result = pattern.sub(replacement, result)
    return result


def is_negation(norm: str) -> bool:
    """True for a normalised word that negates (not, no, never, without, didn't ...)."""
    return norm in NEGATIONS or norm.endswith("n't")


def negation_prefix(first: str, second: str) -> str | None:
    """The prefix that makes one normalised word the opposite of the other (effective/ineffective), or None."""
    longer, shorter = (first, second) if len(first) > len(second) else (second, first)
    for prefix in NEGATION_PREFIXES:
        if len(shorter) >= 4 and longer == prefix + shorter:
            return prefix
    return None


# --- words ------------------------------------------------------------------------------------

WORD_PATTERN = re.compile(
    r"(?<![\w.,])[-\u2212]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[^\W_]+)?"  # numbers: -0.5, 1,000, .05, 5mg
    r"|[^\W_]+(?:['\u2019][^\W_]+)*"  # words, with inner apostrophes: patient's
    r"|%|&"
)
"""What counts as a word: letters and digits, decimals and signed numbers whole, ``%`` and ``&`` alone."""


class Token(NamedTuple):
    """A word with its place in the original text and its normalised form.

    A NamedTuple rather than a frozen dataclass: abstracts are tokenised word by word, and building
    a tuple costs half as much as a frozen dataclass's __init__.
    """

    text: str
    start: int
    end: int
    norm: str


def tokenize_words(text: str) -> list[Token]:
    """The words of ``text`` (letters, digits, decimals, ``%``), with offsets into the original text."""
    return [Token(m.group(), m.start(), m.end(), normalize_word(m.group())) for m in WORD_PATTERN.finditer(text)]


# --- patterns asked only whether they occur -----------------------------------------------------

_ESCAPE = re.compile(r"\\.")
_UPPER_CASE = re.compile(r"[A-Z]")


class AnyCase:
    """A case-insensitive pattern, searched in lower-cased text when only whether it occurs matters.

    Python's engine folds the case of every character it compares under re.IGNORECASE; the same search
    in lower-cased text takes a third to a half of the time, and the checks ask thousands of these.
    """

    def __init__(self, pattern: str, flags: int = 0, *, needs: tuple[str, ...] = ()) -> None:
        """``needs``: lower-case strings one of which every match contains; a text with none is not searched."""
        if _UPPER_CASE.search(_ESCAPE.sub("", pattern)) or any(need != need.lower() for need in needs):
            raise ValueError(f"write the letters of an AnyCase pattern in lower case: {pattern!r}")
        self.lower_case = re.compile(pattern, flags)
        self.needs = needs
        self._flags = flags

    @cached_property
    def any_case(self) -> re.Pattern[str]:
        """The pattern with re.IGNORECASE, for callers that need its matches in the original text."""
        return re.compile(self.lower_case.pattern, self._flags | re.IGNORECASE)

    def occurs_in(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text``, in any case."""
        searched = self._searched(text)
        return searched is not None and searched[1].search(searched[0]) is not None

    def spans_in(self, text: str) -> list[tuple[int, int]]:
        """Where the pattern matches ``text``, in any case: each match's (start, end), in order."""
        searched = self._searched(text)
        if searched is None:
            return []
        haystack, pattern = searched
        return [match.span() for match in pattern.finditer(haystack)]

    def haystack(self, text: str) -> tuple[str, re.Pattern[str]]:
        """The text to search, lower-cased when that keeps every offset, and the pattern to search it with."""
        lowered = text.lower()
        if len(lowered) != len(text):
            # A character that lower-cases to two ("İ") would move every offset after it.
            return text, self.any_case
        return lowered, self.lower_case

    def _searched(self, text: str) -> tuple[str, re.Pattern[str]] | None:
        """The haystack, or None when the text lacks every need."""
        if self.needs:
            lowered = text.lower()
            if not any(need in lowered for need in self.needs):
                return None
        return self.haystack(text)


# --- sentences --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of text with its offsets."""

    start: int
    end: int
    text: str


_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_NEXT_START = re.compile(r"\s+[\"'\u201c\u2018(\[]?[A-Z0-9\u0391-\u03a9]")


def split_sentences(text: str) -> list[Span]:
    """Split text into sentences, without breaking after "et al.", "vs.", "i.e.", initials or in decimals."""
    spans: list[Span] = []
    start = _skip_spaces(text, 0)
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if not _ends_sentence(text, match.start(), end):
            continue
        if end > start:
            spans.append(Span(start, end, text[start:end]))
        start = _skip_spaces(text, end)
    tail = text[start:].rstrip()
    if tail:
        spans.append(Span(start, start + len(tail), tail))
    return spans


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _ends_sentence(text: str, mark: int, end: int) -> bool:
    """Whether the punctuation at ``mark`` closes a sentence (the next one must start with a capital)."""
    if end < len(text) and not _NEXT_START.match(text, end):
        return False
    if text[mark] != "." or text[mark:end].startswith(".."):
        return True
    before = mark - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    if before >= 0 and text[before] in "<>=\u2264\u2265":
        return False  # "P <. 001": a p-value broken by a stray space, not a sentence end
    word_start = mark
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in "([":
        word_start -= 1
    word = text[word_start:mark]
    if word.lower() in SENTENCE_ABBREVIATIONS:
        return False
    # Initials ("J. Smith") and dotted abbreviations ("U.S.", "a.m.") do not end sentences.
    return not ((len(word) == 1 and word.isalpha()) or _DOTTED.fullmatch(word))


# --- numbers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A number in text: digits, a decimal, a percentage or number words, with its value and unit."""

    text: str
    start: int
    end: int
    value: float
    is_percent: bool = False
    unit: str = ""


_DIGITS = re.compile(
    r"(?<![\w.,])(?P<number>[-\u2212]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.,]\d+)?|\.\d+))"
    r"(?:(?P<glued>[^\W\d_]+)\b|(?P<percent>\s?%|\s(?:percent|per cent)\b))?",
)
_NUMBER_WORD = AnyCase(r"\b(?:" + "|".join(sorted([*NUMBER_WORDS, *SCALE_WORDS], key=len, reverse=True)) + r")\b")
_NUMBER_WORD_JOINER = re.compile(r"[\s-]+(?:and\s+)?", re.IGNORECASE)
_FOLLOWING_WORD = re.compile(r"\s*([^\W\d_][\w]*|%)")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PERCENT_AFTER = re.compile(r"\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number in text, in order: 12, 3.5, 1,000, 45%, "forty-five per cent", "two hundred"."""
    mentions = [_digit_mention(text, match) for match in _DIGITS.finditer(text)]
    mentions.extend(_word_mentions(text))
    mentions.sort(key=lambda mention: mention.start)
    return mentions


def parse_number(text: str) -> float | None:
    """The value of one number written in digits or words ("1,000", "0.5", "twenty-five"), or None."""
    mentions = extract_numbers(text.strip())
    if len(mentions) != 1 or mentions[0].start != 0:
        return None
    return mentions[0].value


def _digit_mention(text: str, match: re.Match[str]) -> NumberMention:
    number = match.group("number")
    percent = match.group("percent") is not None
    glued = (match.group("glued") or "").lower()
    unit = "%" if percent else glued
    if not unit:
        unit = _unit_after(text, match.end())
    return NumberMention(match.group(), match.start(), match.end(), _digit_value(number), percent, unit)


def _digit_value(number: str) -> float:
    """Read "1,000" as a thousand and "1,5" as one and a half (a decimal comma)."""
    cleaned = number.replace("\u2212", "-")
    if "," not in cleaned:
        return float(cleaned)
    if _THOUSANDS.fullmatch(cleaned):
        return float(cleaned.replace(",", ""))
    return float(cleaned.replace(",", "."))


def _unit_after(text: str, index: int) -> str:
    match = _FOLLOWING_WORD.match(text, index)
    if match is None:
        return ""
    word = match.group(1).lower()
    return word if word in UNITS else ""


def _word_mentions(text: str) -> list[NumberMention]:
    """Runs of number words ("twenty-five", "two hundred and ten") read as one number each."""
    mentions: list[NumberMention] = []
    lowered, number_word = _NUMBER_WORD.haystack(text)
    position = 0
    while True:
        match = number_word.search(lowered, position)
        if match is None:
            return mentions
        words = [match.group().lower()]
        start, end = match.start(), match.end()
        while True:
            joiner = _NUMBER_WORD_JOINER.match(lowered, end)
            if joiner is None:
                break
            following = number_word.match(lowered, joiner.end())
            if following is None or not _continues(words[-1], following.group().lower(), joiner.group()):
                break
            words.append(following.group().lower())
            end = following.end()
        percent = _PERCENT_AFTER.match(text, end) is not None
        unit = "%" if percent else _unit_after(text, end)
        mentions.append(NumberMention(text[start:end], start, end, float(_words_value(words)), percent, unit))
        position = end


def _continues(previous: str, following: str, joiner: str) -> bool:
    """Whether two number words form one number ("twenty-five", "two hundred and ten"), not a list."""
    if "and" in joiner.lower():
        return previous in SCALE_WORDS and following not in SCALE_WORDS
    if following in SCALE_WORDS:
        return True
    if previous in SCALE_WORDS:
        return True
    return 20 <= NUMBER_WORDS[previous] <= 90 and 1 <= NUMBER_WORDS[following] <= 9


def _words_value(words: list[str]) -> int:
    total, current = 0, 0
    for word in words:
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * SCALE_WORDS[word]
            current = 0
    return total + current
