"""Facts a claim states about its source (journal, date, places, people, counts, design), read from its words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from claimcheck.model import Claim, Fact, Stated
from claimcheck.text import NUMBER_WORDS, AnyCase, extract_numbers, split_sentences

KINDS = ("journal", "date", "institution", "country", "count", "author", "design")
"""Every kind of fact, in the order read_facts returns them."""

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH_ABBREVIATIONS = {name[:3]: number for name, number in MONTHS.items()} | {"sept": 9}
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_YEAR = r"(?:19|20)\d{2}"
_REF_MARK = r"[(\[]\d{1,3}(?:\s*[,-]\s*\d{1,3})*[)\]]"

COUNTRIES: dict[str, tuple[str, ...]] = {
    "Argentina": (), "Australia": (), "Austria": (), "Bangladesh": (), "Belgium": (),
    "Brazil": ("Brasil",), "Canada": (), "Chile": (), "China": ("PR China", "P.R. China"),
    "Colombia": (), "Croatia": (), "Czech Republic": ("Czechia",), "Denmark": (), "Egypt": (),
    "Estonia": (), "Ethiopia": (), "Finland": (), "France": (), "Germany": (), "Ghana": (),
    "Greece": (), "Hong Kong": (), "Hungary": (), "Iceland": (), "India": (), "Indonesia": (),
    "Iran": (), "Iraq": (), "Ireland": (), "Israel": (), "Italy": (), "Japan": (), "Kenya": (),
    "Lebanon": (), "Lithuania": (), "Malaysia": (), "Mexico": (), "Nepal": (),
    "Netherlands": ("Holland",), "New Zealand": (), "Nigeria": (), "Norway": (), "Pakistan": (),
    "Peru": (), "Philippines": (), "Poland": (), "Portugal": (), "Qatar": (), "Romania": (),
    "Russia": ("Russian Federation",), "Saudi Arabia": (), "Serbia": (), "Singapore": (),
    "Slovenia": (), "South Africa": (), "South Korea": ("Korea",), "Spain": (), "Sri Lanka": (),
    "Sweden": (), "Switzerland": (), "Taiwan": (), "Thailand": (), "Tunisia": (),
    "Turkey": ("Türkiye", "Turkiye"), "Uganda": (), "Ukraine": (), "United Arab Emirates": ("UAE",),
    "United Kingdom": ("UK", "U.K.", "England", "Scotland", "Wales", "Northern Ireland", "Britain"),
    "United States": ("USA", "U.S.A.", "U.S.", "US"), "Vietnam": ("Viet Nam",),
}  # fmt: skip
"""Country names and the other names affiliations and articles use for them."""

_DEMONYMS = {
    "American": "United States", "Australian": "Australia", "Austrian": "Austria", "Belgian": "Belgium",
    "Brazilian": "Brazil", "British": "United Kingdom", "Canadian": "Canada", "Chinese": "China",
    "Danish": "Denmark", "Dutch": "Netherlands", "English": "United Kingdom", "Finnish": "Finland",
    "French": "France", "German": "Germany", "Greek": "Greece", "Indian": "India", "Irish": "Ireland",
    "Israeli": "Israel", "Italian": "Italy", "Japanese": "Japan", "Korean": "South Korea",
    "Mexican": "Mexico", "Norwegian": "Norway", "Polish": "Poland", "Portuguese": "Portugal",
    "Scottish": "United Kingdom", "Spanish": "Spain", "Swedish": "Sweden", "Swiss": "Switzerland",
    "Turkish": "Turkey",
}  # fmt: skip
_RESEARCHER_NOUNS = (
    r"(?:researchers|scientists|doctors|physicians|surgeons|team|group|investigators|authors|"
    r"clinicians|physiotherapists|experts|epidemiologists)"
)
_INSTITUTION_WORD = re.compile(
    r"(?:Universit\w*|Hospitals?|Institutet|Institutes?|Institut|Colleges?|Clinic|Centres?|Centers?|Foundation|"
    r"Infirmary|Polytechnic)(?:'s)?"
)
# Capitalised runs holding these words are journals or instruments, never the authors' institution.
_NOT_INSTITUTION_WORDS = {
    "Journal", "Annals", "Archives", "Proceedings", "Bulletin", "Transactions", "Review", "Reviews", "Clinics",
    "Scale", "Score", "Index", "Questionnaire", "Test", "Criteria", "Classification", "Inventory", "Survey",
}  # fmt: skip
_POPULATION_NOUNS = (
    "people",
    "persons",
    "patients",
    "participants",
    "individuals",
    "subjects",
    "adults",
    "women",
    "men",
    "children",
    "adolescents",
    "volunteers",
    "athletes",
    "runners",
    "controls",
    "cases",
    "hips",
    "knees",
    "joints",
    "players",
    "veterans",
    "residents",
    "students",
    "respondents",
    "infants",
    "girls",
    "boys",
    "twins",
    "mothers",
    "families",
    "employees",
    "workers",
    "trials",
    "studies",
    "RCTs",
    "soldiers",
    "recruits",
    "smokers",
    "survivors",
    "pregnancies",
    "births",
    "nurses",
    "cadavers",
    "specimens",
    "donors",
)

_NUMBER_WORD = r"(?:" + "|".join(sorted([*NUMBER_WORDS, "hundred"], key=len, reverse=True)) + r")"
_NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{_NUMBER_WORD})(?:(?:[- ]|\s+and\s+)(?:{_NUMBER_WORD}))*)"

DESIGN_FAMILIES = {
    "systematic review": "review",
    "meta-analysis": "review",
    "scoping review": "review",
    "review": "review",
    "randomized trial": "trial",
    "cohort study": "observational",
    "case-control study": "observational",
    "cross-sectional study": "observational",
    "chart review": "observational",
    "observational study": "observational",
    "case report": "case report",
}
"""Each design claimcheck reads, and its family: designs of one family are never told apart."""

_DESIGN_PATTERN_TEXTS = (
    (
        "randomized trial",
        r"(?<!non-)(?<!non )(?<!quasi-)\brandomi[sz]ed,?\s+"
        r"(?:(?:controlled|clinical|placebo-controlled|double-blind|blinded|pilot|crossover|multi-?cent(?:er|re)|"
        r"feasibility)\s+){0,3}(?:trial|study)\b|\bRCT\b",
    ),
    ("meta-analysis", r"\bmeta-?\s?analysis\b"),
    ("systematic review", r"\bsystematic(?:\s+literature)?\s+review\b"),
    ("scoping review", r"\bscoping review\b"),
    ("review", r"\b(?:narrative|literature|integrative|umbrella)\s+review\b|\breview of (?:the )?literature\b"),
    (
        "chart review",
        r"\b(?:review(?:ed|ing)?|examin(?:e|ed|es|ing)|analy[sz](?:e|ed|es|ing)|look(?:ed|ing)? (?:at|through)|"
        r"went through|audit(?:ed|ing)?|check(?:ed|ing)?)\s+(?:the\s+|their\s+)?(?:[a-z]+'s?\s+)?"
        r"(?:(?:electronic|medical|health|hospital|clinical|patient|case)\s+){1,2}(?:records|charts|notes|files)\b|"
        r"\bchart review\b|\bmedical records? review\b|\bretrospective(?:ly)?\s+(?:chart\s+)?review(?:ed)?\b",
    ),
    ("cohort study", r"\b(?:prospective\s+|retrospective\s+|population-based\s+|longitudinal\s+)?cohort study\b"),
    ("case-control study", r"\bcase-?control study\b"),
    ("cross-sectional study", r"\bcross-?sectional (?:study|survey|analysis)\b"),
    ("observational study", r"\bobservational study\b"),
    ("case report", r"\bcase (?:report|series)\b"),
)
_DESIGN_PATTERNS = tuple((design, re.compile(pattern, re.IGNORECASE)) for design, pattern in _DESIGN_PATTERN_TEXTS)
# Every match of a design's pattern holds one of its words (in lower case), so a text holding none of them
# need not be searched for that design. Keep these in step with the patterns above.
_DESIGN_WORDS = {
    "randomized trial": ("randomi", "rct"),
    "meta-analysis": ("meta",),
    "systematic review": ("systematic",),
    "scoping review": ("scoping",),
    "review": ("review",),
    "chart review": ("records", "charts", "notes", "files", "review"),
    "cohort study": ("cohort",),
    "case-control study": ("control",),
    "cross-sectional study": ("sectional",),
    "observational study": ("observational",),
    "case report": ("case",),
}
# "a meta-analysis of randomized trials": a design named after these words describes other studies.
_OTHER_STUDIES_BEFORE = re.compile(
    r"\b(?:of|from|including|included|includes|pooled|across|previous|earlier|other)\s+(?:(?!(?:a|an|the|this)\b)\w+\s+){0,2}$"
)


# The pipeline asks for a claim's facts once per cited record and once for its result: a small cache
# makes the second and later asks free (claims are frozen, and facts depend on nothing else).
@lru_cache(maxsize=256)
def read_facts(claim: Claim) -> tuple[Fact, ...]:
    """Every fact the claim states: from ``stated:`` where given (it wins for its kind), else from its text."""
    stated = list(stated_facts(claim.stated))
    stated_kinds = {fact.kind for fact in stated}
    from_text = [fact for fact in text_facts(claim.text or "") if fact.kind not in stated_kinds]
    facts = stated + from_text
    return tuple(sorted(facts, key=lambda fact: KINDS.index(fact.kind)))


def stated_facts(stated: Stated) -> Iterator[Fact]:
    """The facts a claim's ``stated:`` gives."""
    values = (
        ("journal", stated.journal),
        ("date", stated.date),
        ("institution", stated.institution),
        ("country", stated.country),
        ("count", None if stated.sample_size is None else str(stated.sample_size)),
        ("author", stated.author),
        ("design", stated.design),
    )
    for kind, value in values:
        if value is not None and str(value).strip():
            yield Fact(kind=kind, value=str(value).strip(), origin="stated")


def text_facts(text: str) -> list[Fact]:
    """The facts read from a claim's own words (never from its quotes), each once."""
    text = plain(text)
    readers = (
        ("journal", journals_in),
        ("date", dates_in),
        ("institution", institutions_in),
        ("country", countries_in),
        ("count", counts_in),
        ("author", authors_in),
        ("design", designs_in),
    )
    facts: list[Fact] = []
    for kind, reader in readers:
        seen: set[str] = set()
        for value in reader(text):
            key = fold(value)
            if key in seen:
                continue
            seen.add(key)
            facts.append(Fact(kind=kind, value=value, origin="text"))
    return facts


# --- text helpers ---------------------------------------------------------------------------


_PLAIN_CHARACTERS = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """Text with typographic quotes, dashes and spaces made plain, so patterns stay simple."""
    return _SPACES.sub(" ", text.translate(_PLAIN_CHARACTERS)).strip()


_FOLDED_WORD = re.compile(r"[a-z0-9]+")


# The same names, titles and affiliations are folded again for every claim that cites their record.
@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower case, no accents, '&' as 'and', punctuation as spaces: the form names are compared in."""
    if text.isascii():
        bare = text.lower()  # ASCII has no accents to take off: NFKD would give the text back unchanged
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    bare = bare.replace("&", " and ").replace("'s ", " ").replace("'", "")
    return " ".join(_FOLDED_WORD.findall(bare))


_ISO_MONTH = re.compile(rf"\b({_YEAR})-(0[1-9]|1[0-2])\b")
_YEAR_WORD = re.compile(rf"\b({_YEAR})\b")
_LETTERS = re.compile(r"[A-Za-z]+")


def parse_date(value: str) -> tuple[int | None, int | None]:
    """(year, month) of a date as articles write it: "October 2017", "2019", "2016 Jun 1", "Sept. 2020"."""
    iso = _ISO_MONTH.search(value)
    if iso:
        return int(iso.group(1)), int(iso.group(2))
    year_match = _YEAR_WORD.search(value)
    year = int(year_match.group(1)) if year_match else None
    for word in _LETTERS.findall(value):
        month = month_number(word)
        if month is not None:
            return year, month
    return year, None


def month_number(word: str) -> int | None:
    """The month a word names in full or abbreviated ("October", "Oct", "Sept"), or None."""
    lowered = word.lower()
    return MONTHS.get(lowered) or _MONTH_ABBREVIATIONS.get(lowered)


_BRACKETED_NUMBER = re.compile(r"\((\d+)\)")


def parse_count(value: str) -> int | None:
    """The number a count fact gives: "Nineteen (19) people" -> 19, "n = 21" -> 21, "120" -> 120."""
    bracketed = _BRACKETED_NUMBER.search(value)
    if bracketed:
        return int(bracketed.group(1))
    for mention in extract_numbers(value):
        if mention.value.is_integer() and not mention.is_percent:
            return int(mention.value)
    return None


def canonical_design(value: str) -> str | None:
    """The design a phrase names ("examined patients' medical records" -> "chart review"), or None."""
    text = plain(value)
    for design, pattern in _DESIGN_PATTERNS:
        if pattern.search(text):
            return design
    lowered = text.lower().replace("randomised", "randomized")
    if lowered in DESIGN_FAMILIES:
        return lowered
    if "trial" in lowered:
        return "randomized trial" if "random" in lowered else None
    return None


_TITLE_BEFORE_NAME = re.compile(r"^(?:Dr|Prof|Professor)\.?\s+")


def surname_of(name: str) -> str:
    """The surname in a personal name: "Svege I" and "Svege, Ingrid" and "Ingrid Svege" -> "Svege"."""
    name = _TITLE_BEFORE_NAME.sub("", name.strip())
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = name.split()
    if len(words) > 1 and words[-1].replace(".", "").isupper() and len(words[-1].replace(".", "")) <= 4:
        return " ".join(words[:-1])
    particles = {"van", "von", "de", "der", "den", "da", "di", "del", "la", "le", "du", "dos", "ten", "ter"}
    start = len(words) - 1
    while start > 0 and words[start - 1].lower() in particles:
        start -= 1
    return " ".join(words[start:]) if words else ""


# --- readers, one per kind ------------------------------------------------------------------

_STOP_AFTER_NAME = {
    "that", "which", "who", "whose", "where", "when", "while", "gave", "gives", "give", "describes",
    "described", "describe", "found", "finds", "find", "shows", "showed", "shown", "show", "reports",
    "reported", "report", "published", "publishes", "is", "are", "was", "were", "has", "had", "have", "by",
    "from", "with", "to", "at", "as", "about", "a", "an", "this", "these", "its", "their", "it", "they",
    "we", "says", "said", "concluded", "suggests", "suggested", "notes", "noted", "explains", "explained",
    "looked", "examined", "evaluated", "compared", "reviewed", "tested", "studied", "also", "recently",
}  # fmt: skip
_CONNECTORS = {"of", "and", "&", "the", "in", "for", "on", "de", "la", "y", "et"}
_LEADING_NOISE = {
    "The", "A", "An", "In", "At", "From", "By", "With", "Of", "For", "And", "On", "Doctors", "Researchers",
    "Scientists", "Surgeons", "Investigators", "Authors", "Team", "Experts", "Both", "This", "That", "These",
    "Those", "Our", "Their", "Its", "According", "When", "While", "After", "Before", "Since", "Then", "Now",
    "Here", "There", "Published", "Led", "Physicians", "Clinicians", "Colleagues", "Teams", "Researcher",
}  # fmt: skip


def journals_in(text: str) -> Iterator[str]:
    """Journal names: "the journal X", "published in X", "edition of X", "in the X (7)", "... Journal of X"."""
    taken: list[tuple[int, int]] = []
    for start, end, name in _journal_candidates(text):
        # The surest reading of a stretch of text wins; later patterns may not reread it.
        if any(start < taken_end and taken_start < end for taken_start, taken_end in taken):
            continue
        taken.append((start, end))
        yield name


_AFTER_JOURNAL_WORD = re.compile(r"\bjournals?\s+(?=[A-Z])")
_AFTER_LEAD_IN = re.compile(
    r"\b(?:[Pp]ublished in|[Aa]ppear(?:s|ed)? in|edition of|issue of|volume of)\s+(?:the\s+)?(?=[A-Z])"
)
_AFTER_IN = re.compile(r"\bin\s+(?:the\s+)?(?=[A-Z])")
_JOURNAL_RUN = re.compile(
    r"(?:(?:[A-Z][\w'-]*|of|and|&|the|for|in|on)\s+)*Journal\b(?:\s+(?:of|and|&|the|for|in|on|[A-Z][\w'-]*))*"
)


def _journal_candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of every journal-like name, the surest patterns first."""
    yield from _names_after_journal_word(text)
    yield from _names_after_lead_in(text)
    yield from _names_after_in(text)
    yield from _journal_runs(text)


def _names_after_journal_word(text: str) -> Iterator[tuple[int, int, str]]:
    """Names after the word journal: "the journal Physiotherapy"."""
    if "journal" not in text:
        return
    for match in _AFTER_JOURNAL_WORD.finditer(text):
        name, end = _name_after(text, match.end(), lowercase_ok=True)
        if name:
            yield match.end(), end, name


def _names_after_lead_in(text: str) -> Iterator[tuple[int, int, str]]:
    """Names after a lead-in: "published in X", "appeared in X", "edition of X"."""
    for match in _AFTER_LEAD_IN.finditer(text):
        name, end = _name_after(text, match.end(), lowercase_ok=False)
        weak = match.group(0).lower().startswith(("published", "appear"))
        if name and _may_be_journal(name) and (not weak or _marked(text, end) or _sounds_like_journal(name)):
            yield match.end(), end, name


def _names_after_in(text: str) -> Iterator[tuple[int, int, str]]:
    """Names after "in", a reference mark after and a word of publishing before: "a paper in the Lancet (7)"."""
    for match in _AFTER_IN.finditer(text):
        # The word of publishing is the quickest to look for: do it before reading the name.
        if not _PUBLICATION_WORDS.search(text[max(0, match.start() - 120) : match.start()]):
            continue
        name, end = _name_after(text, match.end(), lowercase_ok=False)
        if name and _may_be_journal(name) and _marked(text, end):
            yield match.end(), end, name


def _journal_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Runs of capitalised words around "Journal": "the Scandinavian Journal of Medicine"."""
    if "Journal" not in text:
        return
    for match in _JOURNAL_RUN.finditer(text):
        words = _trim_name(match.group(0).split()).split()
        if "Journal" in words and any(word[0].isupper() and word != "Journal" for word in words):
            yield match.start(), match.end(), " ".join(words)


_PUBLICATION_WORDS = re.compile(
    r"\b(?:papers?|articles?|published|appear\w*|issue|edition|review|report|letter|editorial)\b"
)
_JOURNAL_STEMS = (
    "journal", "medic", "research", "review", "therap", "scien", "disord", "health", "clinic", "annals", "archiv",
    "lancet", "bmj", "jama", "bmc", "plos", "nature", "cell", "surg", "rheumat", "cardio", "orthop", "sport",
    "physi", "psych", "pediatr", "paediatr", "arthritis", "cartilage", "rehabil", "monitor", "reports", "letters",
    "bulletin", "proceedings", "trials", "biolog", "epidemiol", "nutrition", "pain", "neuro", "oncol", "care",
)  # fmt: skip


def _sounds_like_journal(name: str) -> bool:
    """True when a name has a word journals are named with (Journal, Medicine, Research, Therapy ...)."""
    return any(word.lower().startswith(_JOURNAL_STEMS) for word in name.split())


_MARK_AHEAD = re.compile(rf"[.,]?\s*{_REF_MARK}")
_MARK_AT_START = re.compile(_REF_MARK)
_NAME_TOKEN = re.compile(r"[(\[][^\s)\]]*[)\]]?|[^\s(\[]+")


def _marked(text: str, end: int) -> bool:
    """True when a reference mark like "(7)" follows ``end``: the words before it name the source."""
    return _MARK_AHEAD.match(text, end) is not None


def _name_after(text: str, start: int, *, lowercase_ok: bool) -> tuple[str, int]:
    """The title-like name starting at ``start`` (capitalised and joining words) and where it ends."""
    words: list[str] = []
    end = start
    tokens = _NAME_TOKEN.findall(text, start)
    position = start
    for index, token in enumerate(tokens):
        position = text.index(token, position)
        bare = token.rstrip(".,;:!?\"')")
        word = bare.strip("\"'")
        if not word or token.startswith(("(", "[")) or word[0].isdigit():
            break
        if word in MONTHS_TITLE or (
            word.islower() and word in _STOP_AFTER_NAME and not _last_word(word, tokens, index)
        ):
            break
        lower_word = lowercase_ok and word.replace("-", "").replace("'", "").isalpha()
        if not (word[0].isupper() or word in _CONNECTORS or lower_word):
            break
        if words and word in _LEADING_NOISE and tokens[index - 1].endswith("."):
            break  # "Pain Med. The authors": the full stop did end the name
        words.append(word)
        end = position + len(bare)
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if (bare != token and not _abbreviated(token, following, len(words))) or len(words) >= 12:
            break
        position += len(token)
    # Only "The" can be dropped from the front: "An Pediatr" and "A Journal" are journal names too.
    return _trim_name(words, noise={"The"}), end


def _last_word(word: str, tokens: list[str], index: int) -> bool:
    """True for a word that ends journal names ("Addictive behaviors reports (4)") right before a reference mark."""
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return word in {"report", "reports", "notes", "letters"} and _MARK_AT_START.match(following) is not None


def _abbreviated(token: str, following: str, count: int) -> bool:
    """True when a full stop marks an abbreviation inside a name ("Musculoskelet. Disord.", "Int. J. Environ.")."""
    if not token.endswith(".") or token.endswith("..") or not following[:1].isupper():
        return False
    return following.endswith(".") or (count > 1 and len(token) <= 4)


MONTHS_TITLE = {name.title() for name in MONTHS}


def _trim_name(words: list[str], *, noise: set[str] = _LEADING_NOISE) -> str:
    """A name without leading sentence words or trailing joining words."""
    while words and (words[0] in noise or words[0] in _CONNECTORS):
        words = words[1:]
    while words and words[-1] in _CONNECTORS:
        words = words[:-1]
    return " ".join(words)


def _may_be_journal(name: str) -> bool:
    """False for names that are places, months or institutions rather than journals."""
    if _has_institution_word(name):
        return False
    if name in MONTHS_TITLE or country_for(name) is not None:
        return False
    return name not in _DEMONYMS


def _date_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A date before a publication noun ("an October 2017 study"), a date after a verb ("published in 2019")."""
    nouns = (
        r"(?:edition|issue|paper|study|article|review|trial|analysis|meta-analysis|report|publication|survey|"
        r"letter|editorial|commentary|guidelines?|statement|update)"
    )
    before_noun = rf"\b((?:{_MONTH}\s+)?{_YEAR})\s+(?:[a-z-]+\s+){{0,2}}?{nouns}\b"
    gap = (
        r"(?:\s+(?:in|the|journal|medical|clinical|health|scientific|of|and|&|for|on|online|first|early|"
        r"electronically|[A-Z][\w'&.-]*|" + _REF_MARK + r"|,))*?"
    )
    date = rf"(?:\d{{1,2}}\s+)?({_MONTH}\s+(?:\d{{1,2}},?\s+)?{_YEAR}|{_YEAR})\b"
    after_verb = rf"\b(?:[Pp]ublished|[Aa]ppeared|[Rr]eleased|[Pp]rinted){gap}\s+(?:in|on)\s+{date}"
    return re.compile(before_noun), re.compile(after_verb)


_DATE_BEFORE_NOUN, _DATE_AFTER_VERB = _date_patterns()
_ANY_YEAR = re.compile(_YEAR)
_DAY_OF_MONTH = re.compile(r"\s+\d{1,2},?\s+")
_OPENING_DATE = re.compile(rf"In\s+((?:{_MONTH}\s+)?{_YEAR}),")
_PUBLISHING_WORD = re.compile(r"\b(?:publish\w*|paper|article|journal|report(?:ed)?)\b")


def dates_in(text: str) -> Iterator[str]:
    """Publication dates: "an October 2017 study", "published in 2019", "In 2020, ... published"."""
    if not _ANY_YEAR.search(text):
        return  # every pattern below needs a year
    for match in _DATE_BEFORE_NOUN.finditer(text):
        yield match.group(1)
    for match in _DATE_AFTER_VERB.finditer(text):
        yield _DAY_OF_MONTH.sub(" ", match.group(1))
    for sentence in sentences(text):
        opening = _OPENING_DATE.match(sentence)
        if opening and _PUBLISHING_WORD.search(sentence):
            yield opening.group(1)


_CAPITALISED_RUN = re.compile(r"(?:(?:[A-Z][\w'-]*|of|the|de|la|le|du|di|van|for)\s+)*(?:[A-Z][\w'-]*)")
_AND_BETWEEN_NAMES = re.compile(r"\s+(?:and|&)\s+")
_POSSESSIVE_END = re.compile(r"'s$")


def institutions_in(text: str) -> Iterator[str]:
    """Institutions credited with the study: "doctors at the University of X", "Oslo University researchers"."""
    for match in _CAPITALISED_RUN.finditer(text):
        run = match.group(0)
        # A run with no institution word anywhere in it has no part naming one: skip the slower checks.
        if not _INSTITUTION_WORD.search(run):
            continue
        if _NOT_INSTITUTION_WORDS & set(run.split()) or not _credited(text, match.start(), match.end()):
            continue
        for part in _AND_BETWEEN_NAMES.split(run):
            name = _POSSESSIVE_END.sub("", _trim_name(part.split()))
            if _has_institution_word(name):
                yield name


def _has_institution_word(text: str) -> bool:
    """True when a word of the text is University, Hospital, Institute, College, Clinic, Centre ..."""
    return any(_INSTITUTION_WORD.fullmatch(word.strip(".,;:()")) for word in text.split())


_CREDITING_WORD_BEFORE = re.compile(r"\b(?:at|from|by|of|with|and)\s+(?:the\s+)?$")
_ONLY_SPACES = re.compile(r"\s*$")
_CREDITED_NOUN_AFTER = re.compile(rf"(?:'s)?\s+(?:{_RESEARCHER_NOUNS}|study|trial|paper|review)\b")


def _credited(text: str, start: int, end: int) -> bool:
    """True when the words around a name credit it with the work ("researchers from X", "X study")."""
    before = text[max(0, start - 40) : start]
    after = text[end : end + 40]
    if _CREDITING_WORD_BEFORE.search(before) or _ONLY_SPACES.match(before):
        return True
    return _CREDITED_NOUN_AFTER.match(after) is not None


_PLACE_NAME = r"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*"
_NAMES_BEFORE_RESEARCHERS = re.compile(
    rf"({_PLACE_NAME}(?:(?:\s*,\s*|\s+and\s+){_PLACE_NAME})*)\s+(?:{_RESEARCHER_NOUNS}|study|trial|paper)\b"
)
_LIST_SEPARATOR = re.compile(r"\s*,\s*|\s+and\s+")
_BEFORE_PLACE = re.compile(r"\b(?:in|from|at|of)\s+(?:the\s+)?(?=[A-Z])")
_NEXT_IN_LIST = re.compile(r"\s*(?:,|and|&)\s+(?:the\s+)?(?=[A-Z])")


def countries_in(text: str) -> Iterator[str]:
    """Countries the study is placed in: "researchers from Oslo University in Norway", "Danish researchers"."""
    for sentence in sentences(text):
        for match in _NAMES_BEFORE_RESEARCHERS.finditer(sentence):
            for chunk in _LIST_SEPARATOR.split(match.group(1)):
                country = _country_ending(chunk)
                if country:
                    yield country
        for match in _BEFORE_PLACE.finditer(sentence):
            place = sentence[match.end() :]
            # Most places are no country: see that first, it is quicker than reading the words before.
            if _country_at(place) is not None and _names_researchers_before(sentence[: match.start()]):
                yield from _countries_listed(place)


def _country_ending(words: str) -> str | None:
    """The country or demonym that ends a run of words ("The Danish" -> Denmark, "New Zealand"), or None."""
    split = words.split()
    for size in (3, 2, 1):
        if len(split) >= size:
            country = country_for(" ".join(split[-size:]))
            if country:
                return country
    return None


def _countries_listed(text: str) -> Iterator[str]:
    """The countries at the start of ``text``, one or a list ("Australia and New Zealand", "Norway, Sweden")."""
    while True:
        found = _country_at(text)
        if found is None:
            return
        country, length = found
        yield country
        following = _NEXT_IN_LIST.match(text[length:])
        if following is None:
            return
        text = text[length + following.end() :]


def _country_names() -> dict[str, str]:
    """Every name and other name of every country, in the order of COUNTRIES, and the country it names."""
    countries: dict[str, str] = {}
    for country, aliases in COUNTRIES.items():
        for name in (country, *aliases):
            countries.setdefault(name, country)
    return countries


def _countries_by_folded_name() -> dict[str, str]:
    """Every country name folded, and its country (the first country to use a folded name keeps it)."""
    countries: dict[str, str] = {}
    for name, country in _country_names().items():
        countries.setdefault(fold(name), country)
    return countries


_COUNTRY_OF_NAME = _country_names()
_COUNTRY_OF_FOLDED_NAME = _countries_by_folded_name()
# One alternation tried in the order of COUNTRIES: the first name that fits wins, as a loop over them would.
_COUNTRY_NAME_AT_START = re.compile("(" + "|".join(re.escape(name) for name in _COUNTRY_OF_NAME) + r")(?![\w])")


def _country_at(text: str) -> tuple[str, int] | None:
    """The country whose name (or other name) ``text`` starts with, and the name's length; or None."""
    match = _COUNTRY_NAME_AT_START.match(text)
    if match is None:
        return None
    return _COUNTRY_OF_NAME[match.group(1)], len(match.group(1))


def country_for(name: str) -> str | None:
    """The country a name stands for ("the Netherlands", "USA", "Türkiye"), or None."""
    country = _COUNTRY_OF_FOLDED_NAME.get(fold(name).removeprefix("the "))
    if country is not None:
        return country
    return _DEMONYMS.get(name.strip().title())


_RESEARCHERS_WORD = re.compile(
    r"\b(?:researchers|scientists|doctors|physicians|surgeons|team|group|investigators|authors|clinicians|experts)\b",
    flags=re.IGNORECASE,
)


def _names_researchers_before(text: str) -> bool:
    """True when the words before a place name the people or body that did the study."""
    return _RESEARCHERS_WORD.search(text) is not None or _has_institution_word(text)


def _count_pattern() -> AnyCase:
    """A number, up to three modifying words, and a noun for what was studied ("46 hips", "120 older adults")."""
    nouns = "|".join(noun.lower() for noun in _POPULATION_NOUNS)
    excluded = (
        r"of|with|who|and|or|in|had|have|were|was|from|to|at|for|by|than|more|most|fewer|less|least|per|each|"
        r"every|the|a|an|million|billion|thousand|percent|out|previous|earlier|other|prior|similar|published|\w+est"
    )
    modifiers = rf"(?:(?!(?:{excluded})\b)[a-z][a-z-]*\s+){{0,3}}"
    return AnyCase(rf"(?<![\w.%-])({_NUMBER})(?:\s*\(\d+\))?\s+{modifiers}(?:{nouns})\b")


_COUNT = _count_pattern()
_N_EQUALS = re.compile(r"\b[nN]\s*=\s*\d[\d,]*")


def counts_in(text: str) -> Iterator[str]:
    """Counts of people or things studied: "Nineteen (19) people", "46 hips of 41 patients", "n = 21"."""
    for start, end in _COUNT.spans_in(text):
        if _APPROXIMATELY.search(text[max(0, start - 25) : start]):
            continue
        count = text[start:end]
        if parse_count(count) is not None:
            yield count
    if "=" not in text:
        return
    for match in _N_EQUALS.finditer(text):
        yield match.group(0)


# "about 1,200 adults" is not a count to hold the abstract to.
_APPROXIMATELY = re.compile(
    r"(?:\b(?:about|approximately|around|nearly|almost|over|under|some|roughly|estimated|up to|at least|"
    r"more than|less than|fewer than|upwards of)|[~<>≈])\s*$",
    flags=re.IGNORECASE,
)


def _author_patterns() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """The ways a claim names an author ("X et al.", "X and colleagues", "led by X", "lead author X"), each with
    a cue: a part of every match that starts with a letter, so that it is found far quicker than the whole."""
    surname = r"((?:(?:van|von|de|der|den|da|di|del|la|le)\s+)*(?:[a-z]{1,2}')?[A-Z][\w'-]+)"
    full = r"((?:[A-Z][\w'.-]*\s+){0,2}(?:(?:van|von|de|der|den|da|di|del|la|le)\s+)*[A-Z][\w'-]+)"
    title = r"(?:Dr\.?\s+|Prof\.?\s+|Professor\s+)?"
    patterns = (
        (r"et\s+al\b", rf"\b{surname}\s+et\s+al\b"),
        (
            r"co(?:lleagues|-?workers|-?authors)\b",
            rf"\b{surname}\s+and\s+(?:his\s+|her\s+|their\s+)?(?:colleagues|co-?workers|co-?authors)\b",
        ),
        (r"led\s+by\s", rf"\bled\s+by\s+{title}{full}"),
        (r"author,?\s", rf"\b(?:lead|first|senior|principal|corresponding)\s+author,?\s+{title}{full}"),
    )
    return tuple((re.compile(cue), re.compile(pattern)) for cue, pattern in patterns)


_AUTHOR_PATTERNS = _author_patterns()


def authors_in(text: str) -> Iterator[str]:
    """Surnames given as authors: "Bieler et al.", "Svege and colleagues", "led by Dr. Ana Ruiz"."""
    for cue, pattern in _AUTHOR_PATTERNS:
        if not cue.search(text):
            continue
        for match in pattern.finditer(text):
            name = match.group(1)
            if name.split()[0] in _LEADING_NOISE or _has_institution_word(name):
                continue
            yield surname_of(name)


def designs_in(text: str) -> Iterator[str]:
    """Study designs the claim gives the source, in the claim's words ("examine patients' medical records")."""
    found: list[tuple[int, str]] = []
    # Only ASCII lowers exactly as the patterns' IGNORECASE matches; other text is searched in full.
    lowered = text.lower() if text.isascii() else None
    for design, pattern in _DESIGN_PATTERNS:
        if lowered is not None and not any(word in lowered for word in _DESIGN_WORDS[design]):
            continue
        for match in pattern.finditer(text):
            if text[match.end() : match.end() + 1] == "s":
                continue
            if _OTHER_STUDIES_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
                continue
            found.append((match.start(), match.group(0)))
    for _start, phrase in sorted(found):
        yield phrase


def sentences(text: str) -> list[str]:
    """The sentences of the text."""
    return list(_sentences(text))


# dates_in and countries_in both read a claim's sentences, one right after the other.
@lru_cache(maxsize=64)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(span.text for span in split_sentences(text))
