"""Overstatement checks: what a claim makes of its source's findings, beyond what the source says (O3xx).

Every check reads the claim's own words (``claim.text``) and compares each of its sentences with the
best-aligned sentence of the source's abstract. Editors stop reading a checker that cries wolf, so each
rule fires only on explicit evidence and stays silent when the claim keeps the source's meaning in other
words (a hedge reworded, an abbreviation spelled out, a number written as a word, an NNT explained).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from claimcheck import rules
from claimcheck.facts import counts_in
from claimcheck.model import AbstractSection, CheckSettings, Claim, Evidence, Finding, Record, Rule
from claimcheck.text import (
    NumberMention,
    Span,
    WORD_PATTERN,
    AnyCase,
    american_spelling,
    extract_numbers,
    is_negation,
    normalize,
    normalize_word,
    parse_number,
    split_sentences,
    tokenize_words,
)

# --- words --------------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """
    a an the and or nor but if then than that this these those there here of in on at to for from by with
    without into onto over under about as is are was were be been being am do does did done has have had
    having will would shall should can could may might must it its they them their theirs he she his her
    we our us you your i me my who whom whose which what when where why how not no also very so such only
    just more most less least much many some any each every all both either neither other others same own
    per via vs versus et al while whereas although though however because since after before during up
    down out off again further once than too s t study studies studied found find finds showed show shows
    shown researchers research authors team paper trial trials results result review according
    """.split()
)
"""Words that say nothing about what a sentence is about; left out when aligning sentences."""

_GENERIC_TERMS = frozenset(
    """
    treatment treatments therapy therapies intervention interventions approach approaches method methods
    program programs programme programmes technique techniques option options thing things way ways use
    using doing regular daily simple new significant significantly lot lots much many most health
    condition conditions problem problems patients patient people person persons participants individuals
    subjects adults outcomes outcome symptoms symptom effect effects benefit benefits results improvement
    improvements change changes level levels overall general greatly clearly really strongly slightly also
    somewhat well better worse good bad great high low people's someone everyone anyone many several
    """.split()
)
"""Words too general to name an intervention or an outcome (O309 needs a specific word to judge)."""

_RELATED_TERMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split("|"))
    for group in (
        "surgery|surgical|surgically|operative|operation|operations|arthroplasty|arthroscopy|arthroscopic|"
        "replacement|osteotomy|resection|operated",
        "physical therapy|physiotherapy|physiotherapist|physiotherapists|physical therapist|physical therapists|pt",
        "exercise|exercises|exercising|training|workout|workouts|physical activity|strengthening",
        "pain|painful|ache|aches|aching|vas|analgesia|tenderness",
        "medication|medications|medicine|medicines|drug|drugs|pharmacological|pharmacotherapy|pills|tablets",
        "painkiller|painkillers|analgesic|analgesics|nsaid|nsaids|ibuprofen|paracetamol|acetaminophen|naproxen",
        "steroid|steroids|corticosteroid|corticosteroids|cortisone|glucocorticoid|glucocorticoids",
        "injection|injections|injected|injecting|inject",
        "mobility|range of motion|rom|movement|flexibility",
        "strength|strong|stronger|weakness|weak|weaker|torque|power",
        "function|functional|functioning|disability|harris hip score|hhs|womac|physical function",
        "walking|walk|gait|ambulation",
        "weight|obesity|overweight|bmi|body mass",
        "osteoarthritis|oa|arthritis|degenerative joint disease",
    )
)
"""Small groups of words that name the same thing, so a paraphrase is not taken for another comparator."""

_BROADLY_RELATED: tuple[frozenset[str], ...] = (
    *_RELATED_TERMS,
    frozenset(
        "physical therapy|physiotherapy|physiotherapist|physical therapist|pt|rehabilitation|exercise therapy|"
        "exercise|exercises|training|strength training".split("|")
    ),
)
"""Looser groups for O309: an article may call a trial's exercise programme "physical therapy"."""

_POPULATION_NOUNS = (
    r"patients?|people|persons?|participants?|subjects?|individuals?|adults?|children|kids|women|men|cases|"
    r"responders?|users?|sufferers?|athletes?|runners?|volunteers?|those|them"
)
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\\w+teen|twenty|fifty|hundred"
_NEGATION_WINDOW = 3
_MIN_SHARED_FOR_HEDGE = 3
_MIN_COVERAGE_FOR_HEDGE = 0.5
_SENTENCE_PREVIEW = 240

# --- O301 hedges ---------------------------------------------------------------------------------

_SOURCE_HEDGE = AnyCase(
    r"""\b(?:
        may|might|could|possibly|perhaps|probably|presumably|potentially|
        suggest(?:s|ed|ing|ive)?|appear(?:s|ed)?|seem(?:s|ed)?|
        uncertain|unclear|tentative(?:ly)?|preliminary|
        slight(?:ly)?|modest(?:ly)?|marginal(?:ly)?|
        (?<!more\s)(?<!less\s)(?<!most\s)(?<!as\s)likely|
        limited\s+(?:evidence|data|benefits?|effects?|improvements?|support)|
        evidence\s+(?:is|was|remains)\s+(?:limited|weak|scarce|insufficient|inconclusive)|
        (?:very\s+)?(?:low|weak|insufficient|inconclusive)[-\s](?:certainty|quality|level)(?:\s+of)?\s+evidence|
        (?:low|very\s+low)[-\s](?:certainty|quality)|
        small\s+(?:but\s+\w+\s+)?(?:effects?|benefits?|improvements?|reductions?|increases?|differences?|gains?)|
        tend(?:s|ed)?\s+to|trend\s+towards?|not\s+necessarily
    )\b""",
    re.VERBOSE,
)
_CLAIM_HEDGE = AnyCase(
    r"""\b(?:
        can|some|somewhat|small|smaller|little|partly|partially|only|minor|mild|mildly|few|weak|
        low|limited|possible|potential|modest|think|thinks|thought\s+to|believe[sd]?|hint(?:s|ed)?|
        propose[sd]?|hypothes\w+|unproven|not\s+(?:yet\s+)?(?:proven|clear|certain|sure)|caution\w*|
        cautious\w*|uncertain\w*|unsure|questionable|inconclusive|preliminary|early\s+evidence|
        a\s+bit|not\s+much|not\s+always|not\s+necessarily|question|not\s+(?:all|every|everyone|everybody)
    )\b""",
    re.VERBOSE,
)
_CLAUSE_BREAK = re.compile(r";|,?\s+\b(?:but|whereas|while|although|though|however)\b,?", re.IGNORECASE)
_GOVERNING_HEDGE = re.compile(
    r"\b(?:suggest(?:s|ed)?|may\s+indicate|might\s+indicate|appears?|seems?|it\s+is\s+possible|likely)\s+that\b",
    re.IGNORECASE,
)

# --- O302 certainty ------------------------------------------------------------------------------

_PEOPLE = (
    r"patients?|people|persons?|participants?|subjects?|individuals?|adults?|children|kids|women|men|cases|"
    r"responders?|users?|sufferers?|athletes?|runners?|volunteers?"
)
_CERTAINTY: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    # The source counts as using a word when it uses the claim's own word or a kin of it (the extra pattern).
    (re.compile(claim_pattern, re.IGNORECASE), re.compile(f"{claim_pattern}|{kin}", re.IGNORECASE))
    for claim_pattern, kin in (
        (r"\bclearly\b", r"\bclear\b"),
        (
            r"\bclear\s+(?:evidence|proof|signs?|benefits?|links?|effects?|improvements?|advantages?|superiority|"
            r"cause|answer|winner)\b|\b(?:it\s+is|it's)\s+clear\b|\bclear\s+that\b",
            r"\bclear(?:ly)?\b",
        ),
        (r"\bprov(?:e|es|ed|en|ing)\b|\bproof\b", r"\bproofs\b"),
        (r"\balways\b", r"\binvariably\b|\bconsistently\b"),
        (r"\bcur(?:e|es|ed|ing|ative)\b", r"\bcure\w*"),
        (r"\bdefinite(?:ly)?\b|\bdefinitive(?:ly)?\b", r"\bdefinit\w*"),
        (
            r"\bcertainly\b|\bundoubtedly\b|\bunquestionabl[ey]\b|\bwithout\s+(?:a\s+)?doubt\b|\bbeyond\s+doubt\b",
            r"\bcertain(?:ly|ty)?\b|\bdoubt\w*",
        ),
        (r"\bconclusive(?:ly)?\b|\bunequivocal(?:ly)?\b", r"\bconclusive\w*"),
        (r"\beliminat(?:e|es|ed|ing|ion)\b|\beradicat(?:e|es|ed|ing)\b", r"\beliminat\w*|\beradicat\w*|\babolish\w*"),
        (
            r"\bcompletely\b|\bentirely\b|\btotally\b|\bpermanent(?:ly)?\b|\bforever\b",
            r"\bcomplete\b|\bentire\b|\btotal\b|\bfull(?:y)?\b|\bresolution\b|\blong-term\b",
        ),
        (r"\bguarantee[sd]?\b", r"\bguarantee\w*"),
        (
            r"\bdramatic(?:ally)?\b|\bdrastic(?:ally)?\b|\bmassive(?:ly)?\b|\bmiracul\w+|\bmiracles?\b",
            r"\bmarked(?:ly)?\b|\bsubstantial(?:ly)?\b|\blarge\b",
        ),
        (
            rf"\b(?:all|every(?!\s+(?:\d+|{_NUMBER_WORDS})\b))\s+(?:of\s+)?(?:the\s+|these\s+|those\s+)?"
            rf"(?:[\w-]+\s+){{0,2}}?(?:{_PEOPLE})\b|\beveryone\b|\beverybody\b",
            rf"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|these\s+|those\s+)?(?:[\w-]+\s+){{0,3}}?"
            rf"(?:{_PEOPLE}|groups?)\b|\b100\s?%",
        ),
    )
)

_ANY_CERTAINTY = AnyCase("|".join(f"(?:{pattern.pattern})" for pattern, _ in _CERTAINTY))
"""Any of the certainty words at all: most claims have none, and one search says so."""

# --- O303 relative and absolute figures ---------------------------------------------------------

_ABSOLUTE_SHARE = re.compile(
    rf"^\s*of\s+(?:the\s+|all\s+|these\s+|those\s+|our\s+)?(?:[\w-]+\s+){{0,5}}?(?:{_POPULATION_NOUNS})\b",
    re.IGNORECASE,
)
_CLAIM_KEEPS_RELATIVE = AnyCase(
    r"\b(?:more|fewer|less|higher|lower|greater|extra|additional|than|difference|differences|compared|relative|"
    r"versus|vs|points?|times|fold|likely|beyond|excess|odds)\b"
)
_SOURCE_RELATIVE_AFTER = re.compile(
    r"^\s*(?:%|percent|per\s*cent)?\s*-?\s*(?:percentage[-\s]points?|points?|more|fewer|less|higher|lower|greater|"
    r"larger|smaller|increase[sd]?|decrease[sd]?|reduction|relative|absolute|difference|times|fold|excess|"
    r"additional|extra|improvement|better|above|beyond)\b",
    re.IGNORECASE,
)
_SOURCE_RELATIVE_BEFORE = re.compile(
    r"(?:\bdifferences?|\bRD|\bARR|\bARI|\bRRR|\brisk\s+(?:reduction|difference|ratio)|\bodds\s+ratio|\bOR|\bRR|"
    r"\bHR|\brelative\s+risk|\bhazard\s+ratio|\brate\s+ratio|\bby)\b\W*(?:[\w.]+\W+){0,3}$",
)
_NNT = re.compile(
    r"\b(?:NNT|number\s+needed\s+to\s+treat)\b[^.;\d]{0,60}?(?<![\w.,])(\d+(?:\.\d+)?)(?![\d%])",
    re.IGNORECASE,
)
_ONE_IN = re.compile(r"\b(?:one|1)\s+(?:in|out\s+of)\s+(\w+)", re.IGNORECASE)
_RELATIVE_SENTENCE = re.compile(
    r"\b(?:beyond|than|compared|additional|extra|more|NNT|number\s+needed|over\s+and\s+above|difference)\b",
    re.IGNORECASE,
)

# --- O304 numbers ---------------------------------------------------------------------------------

_REFERENCE_MARKER = re.compile(r"[(\[]\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*[)\]]")
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_APPROXIMATE = re.compile(
    r"\b(?:about|around|approximately|roughly|nearly|almost|some|over|under|more\s+than|less\s+than|fewer\s+than|"
    r"up\s+to|at\s+least|close\s+to|just\s+over|just\s+under|circa|approx\.?|~)\s*$",
    re.IGNORECASE,
)
_FRACTION_WORDS: tuple[tuple[AnyCase, float], ...] = tuple(
    (AnyCase(pattern, needs=needs), value)
    for pattern, needs, value in (
        (r"\bhalf\b|\bhalved\b", ("hal",), 50.0),
        (r"\b(?:a|one)[-\s]third\b", ("third",), 33.3),
        (r"\btwo[-\s]thirds\b", ("thirds",), 66.7),
        (r"\b(?:a|one)[-\s]quarter\b", ("quarter",), 25.0),
        (r"\bthree[-\s]quarters\b", ("quarters",), 75.0),
        (r"\btwice\b|\bdoubled?\b|\btwo[-\s]fold\b", ("twice", "double", "fold"), 2.0),
        (r"\bthree[-\s]fold\b|\btripled?\b|\bthree\s+times\b", ("fold", "triple", "times"), 3.0),
    )
)
_UNIT_SCALE: dict[str, tuple[str, float]] = {
    "year": ("time", 365.25), "years": ("time", 365.25), "month": ("time", 30.44), "months": ("time", 30.44),
    "week": ("time", 7.0), "weeks": ("time", 7.0), "day": ("time", 1.0), "days": ("time", 1.0),
    "h": ("time", 1 / 24), "hr": ("time", 1 / 24), "hrs": ("time", 1 / 24), "hour": ("time", 1 / 24),
    "hours": ("time", 1 / 24), "min": ("time", 1 / 1440), "mins": ("time", 1 / 1440),
    "minute": ("time", 1 / 1440), "minutes": ("time", 1 / 1440),
    "kg": ("mass", 1e6), "g": ("mass", 1e3), "mg": ("mass", 1.0), "ug": ("mass", 1e-3), "µg": ("mass", 1e-3),
    "mcg": ("mass", 1e-3), "l": ("volume", 1e3), "dl": ("volume", 100.0), "ml": ("volume", 1.0),
    "km": ("length", 1e6), "m": ("length", 1e3), "cm": ("length", 10.0), "mm": ("length", 1.0),
}  # fmt: skip
"""Units convertible into one another: dimension and size in a base unit (days, mg, ml, mm)."""
_UNIT_TOLERANCE = 0.04

# --- O305 protocols ------------------------------------------------------------------------------

_PROTOCOL_TYPES = frozenset({"clinical trial protocol", "study protocol"})
_PROTOCOL_TITLE = re.compile(
    r"\bprotocol\s+(?:for|of)\b|\b(?:study|trial|research|review)\s+protocol\b|:\s*(?:a\s+|the\s+)?protocol\b|"
    r"\bprotocol\s*\.?\s*$|\(protocol\)",
    re.IGNORECASE,
)
_FUTURE_METHODS = AnyCase(
    r"\bwill\s+be\s+(?:randomi[sz]ed|recruited|allocated|assigned|assessed|measured|analy[sz]ed|enrolled|"
    r"followed|collected|compared|evaluated|invited|screened|conducted|performed|used)\b|"
    r"\b(?:this|the|our)\s+(?:trial|study|project|review)\s+will\b|"
    r"\bwe\s+will\s+(?:recruit|randomi[sz]e|conduct|assess|investigate|compare|evaluate|examine|test|measure|enrol)",
    needs=("will",),
)
_RESULT_WORDS = re.compile(
    r"\b(?:found|finds|showed|shows|demonstrated|demonstrates|revealed|reveals|proved|proves|proven|confirmed|"
    r"confirms|concluded|concludes|reported|observed|discovered|established|resulted\s+in|led\s+to|improved|"
    r"reduced|increased|decreased|outperformed|benefit(?:ed|ted)|responded|achieved|"
    r"(?:was|were)\s+(?:more|less|better|worse|superior|inferior|effective|ineffective|successful)|"
    r"had\s+(?:better|worse|less|more|fewer|greater|lower|higher)|worked|helped|eliminated|cured|"
    r"(?:early|first|initial|preliminary|interim)\s+(?:results|findings|data)|"
    r"(?:results|findings|data)\s+(?:shows?|showed|suggests?|suggested|indicates?|indicated|reveals?|revealed))\b",
    re.IGNORECASE,
)
_PLAN_WORDS = AnyCase(
    r"\b(?:will|would|aims?|aimed|aiming|goal|objective|purpose|plans?|planned|planning|protocol|intends?|"
    r"intended|designed\s+to|set\s+out\s+to|seeks?|hopes?|hoping|proposed?|pending|ongoing|underway|under\s+way|"
    r"(?:is|are)\s+(?:testing|investigating|examining|comparing|studying|evaluating|assessing|embarking|recruiting)|"
    r"embark\w*|whether|expected\s+to|going\s+to|trying\s+to|upcoming|future)\b"
)
_OTHER_EVIDENCE = AnyCase(
    r"\b(?:previous|prior|earlier|existing|other|past|published)\s+(?:studies|trials|research|evidence|work|reviews)\b|"
    r"\bguidelines?\b|\bliterature\b|\bevidence\s+(?:suggests|shows|indicates)\b"
)

# --- O306 causation and association --------------------------------------------------------------

_OBSERVATIONAL_TYPES = frozenset({"observational study", "twin study", "multicenter observational study"})
_OBSERVATIONAL_MESH = frozenset(
    {"cohort studies", "cross-sectional studies", "case-control studies", "longitudinal studies",
     "retrospective studies", "prospective studies", "follow-up studies", "registries", "health surveys"}
)  # fmt: skip
_TRIAL_TYPES = frozenset(
    {"randomized controlled trial", "clinical trial", "controlled clinical trial", "pragmatic clinical trial",
     "equivalence trial", "clinical trial, phase iii", "clinical trial, phase ii", "clinical trial protocol"}
)  # fmt: skip
_OBSERVATIONAL_TEXT = AnyCase(
    r"\bcohort\b|\bcross-?sectional\b|\bcase-?control\b|\bobservational\b|\bregistry\b|\bpopulation-based\b|"
    r"\bepidemiological\b|\bretrospective\b|\bprospective\s+(?:\w+\s+){0,2}stud(?:y|ies)\b|\blongitudinal\b|"
    r"\bsurvey\b"
)
_TRIAL_TEXT = AnyCase(
    r"\brandomi[sz]ed\b|\brandomly\s+(?:assigned|allocated)\b|\bplacebo-controlled\b|\brandomi[sz]ation\b"
)
_ASSOCIATION = re.compile(
    r"\bassociat\w*|\bcorrelat\w*|\blinked\b|\blink\s+between\b|\brelationship\b|\brelated\s+to\b|"
    r"\bodds\s+ratios?\b|\bhazard\s+ratios?\b|\bpredict\w*|\brisk\s+factors?\b",
    re.IGNORECASE,
)
_CAUSAL = re.compile(
    r"\b(?:causes?|caused|causing|prevents?|prevented|preventing|cures?|cured|leads?\s+to|led\s+to|leading\s+to|"
    r"results?\s+in|resulted\s+in|reduces|lowers|raises|boosts|protects?\s+(?:against|from)|triggers?|"
    r"triggered|increases\s+the\s+(?:risk|chance|odds|likelihood)|improves|worsens|is\s+responsible\s+for|"
    r"(?:cuts?|slash(?:es)?|halves)\s+(?:the\s+)?(?:risk|chance|odds|rate|likelihood))\b",
    re.IGNORECASE,
)
_NOUN_BEFORE = frozenset(
    "the a an its their these those our main common major of many other his her no one two several any all "
    "each every".split()
)
_CLAIM_ASSOCIATION = AnyCase(
    r"\bassociat\w*|\bcorrelat\w*|\blink(?:ed|s)?\b|\brelated\b|\bconnected\b|\btied\s+to\b|\bobservational\b|"
    r"\bcannot\s+(?:prove|show|establish)|\bcould\s+not\s+(?:prove|show|establish)|\bnot\s+(?:prove|show)\b"
)
_VERB_PARTICLES = frozenset({"in", "to", "the", "from", "against", "for", "is"})
_HEDGE_BEFORE_VERB = frozenset({"may", "might", "could", "possibly", "perhaps", "probably", "potentially", "can"})

# --- O307 comparisons ----------------------------------------------------------------------------

_RANKING = re.compile(
    r"(?<![-\w])(?P<rank>"
    r"(?:more|less)\s+(?:effective|efficacious|beneficial|helpful|useful|successful|powerful|potent)|"
    r"better|worse|superior|inferior|outperform(?:s|ed|ing)?|beats?|beating|"
    r"as\s+(?:effective|good|beneficial|efficacious|helpful)\s+as)\b(?!-)",
    re.IGNORECASE,
)
_COMPARATOR_END = re.compile(
    r"[.;:,!?()]|\b(?:in|for|among|at|when|after|because|with|on|during|while|who|which|that|by|if|since|"
    r"across|over|within|without|to\s+(?:improve|reduce|treat|relieve)|may|might|could|can|will|would|should|must|"
    r"is|are|was|were|has|have|had|does|did|do|also)\b",
    re.IGNORECASE,
)
_COMPARATOR_SPLIT = re.compile(r"\s*(?:,|/|\bor\b|\band\b|\bnor\b|\beither\b|\bboth\b)\s*", re.IGNORECASE)
_GENERIC_COMPARATORS = frozenset(
    """
    placebo placebos sham control controls nothing none no usual standard waiting wait waitlist baseline before
    expected thought believed assumed previously others other alternatives alternative those people patients
    it them this that ever anything everything men women children adults anyone everyone usual conventional
    traditional current existing previous earlier imagined hoped predicted rest inactivity
    """.split()
)
_COMPARISON_MARKERS = AnyCase(
    r"\bversus\b|\bvs\b|\bcompared?\b|\bcomparing\b|\bcomparison\b|\bthan\b|\bsuperior\b|\binferior\b|"
    r"\bcontrol(?:s|led)?\b|\bgroups?\b|\barms?\b|\brandomi[sz]ed\s+to\b|\ballocated\s+to\b|\bassigned\s+to\b|"
    r"\bor\b|\bagainst\b|\bfavou?r(?:ed|s)?\b|\boutperform\w*"
)

# --- O308 animals, cells and cadavers -----------------------------------------------------------

_NONHUMAN_TEXT = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|pigs?|piglets?|porcine|sheep|ovine|lambs?|dogs?|canine|"
    r"cats?|feline|horses?|equine|bovine|cattle|cows?|goats?|caprine|zebrafish|monkeys?|primates?|macaques?|"
    r"hamsters?|guinea\s+pigs?|animal\s+models?|animals|in\s+vitro|ex\s+vivo|cell\s+cultures?|cultured\s+cells|"
    r"cell\s+lines?|cadavers?|cadaveric|post-?mortem|embalmed|body\s+donors?|"
    r"cultured\s+(?:[\w-]+\s+){0,2}(?:cells|fibroblasts|chondrocytes|tenocytes|myocytes|keratinocytes|osteoblasts))\b",
    re.IGNORECASE,
)
_LIVING_HUMANS = re.compile(
    r"\b(?:patients?|participants?|volunteers?|people|humans|adults|children|women|men|individuals|outpatients|"
    r"inpatients|respondents)\b",
    re.IGNORECASE,
)
_CADAVER_GRAFT = re.compile(r"\bcadaveric\s+(?:allografts?|grafts?|donors?|kidneys?|livers?|tissue\s+grafts?)\b", re.I)
_NONHUMAN_MESH = frozenset({"cadaver", "in vitro techniques", "cells, cultured", "cell line", "cell line, tumor"})
_CLAIM_NONHUMAN = AnyCase(
    r"\b(?:mice|mouse|murine|rats?|rodents?|animals?|lab\s+animals|in\s+vitro|ex\s+vivo|cells?|test\s+tubes?|"
    r"petri|lab(?:oratory)?|cadavers?|cadaveric|donors?|donated|dead|deceased|post-?mortem|autops\w+|corpses?|"
    r"specimens?|tissue\s+samples?|preclinical|biomechanical|bench|rabbits?|pigs?|porcine|sheep|dogs?|cats?|"
    r"horses?|monkeys?|primates?|zebrafish|hamsters?|cattle|cows?|goats?)\b"
)
_MIN_NONHUMAN_MENTIONS = 2

# --- O309 topics ---------------------------------------------------------------------------------

_EFFECT_VERB = AnyCase(
    r"(?<![-/])\b(?:improv(?:es|ed|e|ing)|reduc(?:es|ed|e|ing)|reliev(?:es|ed|e|ing)|increas(?:es|ed|e|ing)|"
    r"decreas(?:es|ed|e|ing)|help(?:s|ed)?|treat(?:s|ed)?|prevent(?:s|ed)?|cur(?:es|ed|e)|lower(?:s|ed)?|"
    r"boost(?:s|ed)?|eliminat(?:es|ed|e)|alleviat(?:es|ed|e)|restor(?:es|ed|e)|strengthen(?:s|ed)?|eas(?:e|es|ed)|"
    r"slow(?:s|ed)|delay(?:s|ed)?|worsen(?:s|ed)?|protect(?:s|ed)?\s+against)\b"
)
_SUBJECT_BOUNDARY = re.compile(
    r"[,;:()\"\u201c\u201d]|\b(?:that|which|who|whether|found|find|finds|showed|shows|show|suggests?|suggested|"
    r"reported|concluded|demonstrated|says|said|when|if|because|while|but|and|where|wrote|write|writes|"
    r"claims?|claimed|believe|believes|think|thinks|confirmed|revealed|indicates?|indicated|noted|notes)\b",
    re.IGNORECASE,
)
_OBJECT_BOUNDARY = re.compile(
    r"[.,;:()!?]|\b(?:in|for|among|by|with|at|than|when|after|compared|versus|vs|because|during|over|from|who|"
    r"which|that|as|within|without|since|until|through|while|if|but)\b",
    re.IGNORECASE,
)
_SUBJECT_TRIM = frozenset(
    "can may might could will would does do did not never also significantly greatly really even still "
    "clearly actually further substantially markedly is are was were be been always often usually generally "
    "consistently sometimes reliably effectively both each".split()
)
_MAX_PHRASE_WORDS = 5

# --- O3xx shared: the article speaking for itself -------------------------------------------------

_OWN_VOICE = AnyCase(
    r"(?<!than\s)\b(?:we|i)\s+(?:think|believe|feel|suspect|recommend|see|treat|use|guide|agree|argue|"
    r"make\s+the\s+case|advocate|urge|call\s+for|"
    r"address|offer|find\s+that|have\s+found|suggest|hope)\b|\bin\s+our\s+(?:clinic|office|practice|experience|"
    r"opinion|view|patients)\b|\bour\s+(?:patients|clinic|office|experience|opinion|view)\b|"
    r"\bin\s+my\s+(?:experience|opinion|view)\b"
)


# --- the check -----------------------------------------------------------------------------------


def check_overstatement(claim: Claim, record: Record, settings: CheckSettings) -> Iterator[Finding]:
    """Flag what the claim's own words make of the source beyond what its title and abstract support (O301-O309)."""
    if not claim.text or not claim.text.strip():
        return
    source = _prepare(record)
    sentences = _claim_sentences(claim.text)
    if not sentences:
        return
    yield from _protocol_as_result(claim, source, sentences)
    yield from _animal_to_human(claim, source, sentences)
    for span in sentences:
        alignment = _Alignment(span.text, source)
        yield from _hedge_dropped(claim, source, span.text, alignment)
        yield from _certainty_boosted(claim, source, span.text, alignment)
        yield from _relative_as_absolute(claim, source, span.text, alignment)
        yield from _number_not_in_source(claim, source, span.text, alignment)
        yield from _causal_from_association(claim, source, span.text)
        yield from _comparison_not_in_source(claim, source, span.text, alignment)
        yield from _off_topic(claim, source, span.text, alignment)


# --- the source, prepared once -------------------------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    """A sentence of the record with its place, section and content words."""

    text: str
    start: int | None
    end: int | None
    section: str
    field: str
    stems: frozenset[str]

    @cached_property
    def sorted_words(self) -> str:
        """The sentence's words sorted, read only when a claim sentence is aligned character by character."""
        return _sorted_words(self.text)


@dataclass(frozen=True)
class _Scored:
    """A source sentence and how well a claim sentence aligns with it."""

    sentence: _Sentence
    score: float
    shared: int
    coverage: float


@dataclass(frozen=True)
class _Number:
    """A number of the record, with the sentence it stands in."""

    mention: NumberMention
    sentence: str


_Protocol = tuple[str, _Sentence | None]
"""Why a record is a protocol, and the sentence that shows it."""


@dataclass(frozen=True, eq=False)
class _Source:
    """A record, prepared for comparison: sentences, numbers, kind of study; topic words when first asked for."""

    record: Record
    sentences: tuple[_Sentence, ...]
    title_abstract: str
    topic_parts: tuple[str, ...]
    abstract_words: tuple[str, ...] | None = None
    nonhuman: tuple[str, ...] = ()
    observational: bool = False
    protocol: _Protocol | None = None

    @cached_property
    def topic_text(self) -> str:
        """The normalised title, abstract, MeSH terms and keywords, one part a line (no word crosses a line)."""
        return normalize("\n".join(self.topic_parts))

    @cached_property
    def _topic_word_list(self) -> list[str]:
        """Every word of the topic parts, in order (the abstract's words as the sentences found them)."""
        words: list[str] = []
        for index, part in enumerate(self.topic_parts):
            words += self.abstract_words if index == 1 and self.abstract_words is not None else _words_of(part)
        return words

    @cached_property
    def topic_stems(self) -> frozenset[str]:
        """The stems of every word of the topic (O306, O307 and O309 ask for them)."""
        return frozenset(map(_word_stem, self._topic_word_list))

    @cached_property
    def topic_words(self) -> frozenset[str]:
        return frozenset(map(normalize_word, self._topic_word_list))

    @cached_property
    def topic_initials(self) -> tuple[str, ...]:
        return _initials(list(map(normalize_word, self._topic_word_list)))

    @cached_property
    def abstract_texts(self) -> tuple[str, ...]:
        """The abstract's sentences (none when the record has only a title)."""
        return tuple(sentence.text for sentence in self.sentences if sentence.field == "abstract")

    @cached_property
    def _said(self) -> dict[re.Pattern[str], bool]:
        return {}

    def says(self, pattern: re.Pattern[str]) -> bool:
        """Whether the title or abstract matches ``pattern`` (each claim citing the record asks the same few)."""
        said = self._said.get(pattern)
        if said is None:
            said = self._said[pattern] = pattern.search(self.title_abstract) is not None
        return said

    @cached_property
    def numbers(self) -> tuple[_Number, ...]:
        """The record's numbers, read only when a claim has a number to look for."""
        return tuple(_record_numbers(self))

    @cached_property
    def derived_values(self) -> tuple[float, ...]:
        """Values the source implies (see _derived_values), worked out once for every number claimed of it."""
        return tuple(_derived_values(self))

    @cached_property
    def percent_differences(self) -> tuple[float, ...]:
        """Differences between the source's percentages, which a claimed percentage may be."""
        percents = [number.mention.value for number in self.numbers if number.mention.is_percent]
        return tuple(abs(first - second) for first in percents for second in percents if first != second)


class _Alignment:
    """How a claim sentence aligns with the source's sentences, ranked only when a rule needs the ranking."""

    def __init__(self, text: str, source: _Source) -> None:
        self.text = text
        self.source = source

    @cached_property
    def ranked(self) -> list[_Scored]:
        """Source sentences ranked by how well they align with the claim sentence, best first."""
        return _align(self.text, self.source)


# A claims file cites each record for several claims: preparing a record once per audit, not once per claim,
# is most of the check's speed. Records are frozen, so the same fields always prepare the same way.
_PREPARED_RECORDS = 512
# Source sentences come back for every claim citing their record: what is read from one is read once.
_SOURCE_SENTENCES = 16384


def _prepare(record: Record) -> _Source:
    """The record's sentences, words, numbers and kind of study, worked out once for every claim citing it."""
    # Keyed on the fields the checks read: hashing a whole record (authors, affiliations) costs more than a check.
    return _prepare_fields(
        record.pmid, record.title, record.abstract_sections, record.publication_types, record.mesh_headings,
        record.keywords,
    )


@lru_cache(maxsize=_PREPARED_RECORDS)
def _prepare_fields(
    pmid: str,
    title: str,
    abstract_sections: tuple[AbstractSection, ...],
    publication_types: tuple[str, ...],
    mesh_headings: tuple[str, ...],
    keywords: tuple[str, ...],
) -> _Source:
    record = Record(
        pmid=pmid,
        title=title,
        abstract_sections=abstract_sections,
        publication_types=publication_types,
        mesh_headings=mesh_headings,
        keywords=keywords,
    )
    abstract = record.abstract
    abstract_words: list[str] = []
    sentences = tuple(_record_sentences(record, split_sentences(abstract), abstract_words))
    nonhuman = tuple(_nonhuman_words(record))
    topic_parts = (record.title, abstract, *record.mesh_headings, *record.keywords)
    return _Source(
        record=record,
        sentences=sentences,
        title_abstract=f"{record.title}\n{abstract}".strip() or "\n".join(topic_parts),
        topic_parts=topic_parts,
        abstract_words=tuple(abstract_words),
        nonhuman=nonhuman,
        observational=_is_observational(record, nonhuman),
        protocol=_protocol_signal(record, sentences),
    )


@lru_cache(maxsize=_SOURCE_SENTENCES)
def _bare_topic(text: str) -> _Source:
    """The topic words of one sentence or title (O307 asks about the same few places for every claim)."""
    return _Source(record=Record(pmid="", title=text), sentences=(), title_abstract=text, topic_parts=(text,))


def _record_sentences(record: Record, spans: list[Span], abstract_words: list[str]) -> Iterator[_Sentence]:
    """The abstract's sentences with their offsets and section labels; the title when there is no abstract.

    The words of each sentence are added to ``abstract_words``: sentences are cut at white space, between
    words, so their words in order are the abstract's words.
    """
    if not spans:
        if record.title:
            yield _Sentence(record.title, None, None, "", "title", _content_stems(_words_of(record.title)))
        return
    bounds: list[tuple[int, str]] = []
    position = 0
    for section in record.abstract_sections:
        bounds.append((position, section.label))
        position += len(section.text) + 1
    for span in spans:
        label = ""
        for start, section_label in bounds:
            if start <= span.start:
                label = section_label
        words = _words_of(span.text)
        abstract_words += words
        yield _Sentence(span.text, span.start, span.end, label, "abstract", _content_stems(words))


def _record_numbers(source: _Source) -> Iterator[_Number]:
    titles = [span.text for span in split_sentences(source.record.title)]
    for text in (*titles, *source.abstract_texts):
        for mention in extract_numbers(text):
            yield _Number(mention, text)


# --- words and alignment -------------------------------------------------------------------------


_SUFFIXES = (
    "ically", "ations", "atory", "ation", "ness", "ory", "ments", "ment", "ical", "ings", "ing", "ies", "ied",
    "ery", "ive", "ed", "es", "ic", "al", "ly", "er", "y", "s",
)  # fmt: skip


@lru_cache(maxsize=65536)
def _stem(norm: str) -> str:
    """A crude stem, the same on both sides: surgery/surgical, exercise/exercising, effective/effectiveness."""
    word = american_spelling(norm)
    for _ in range(2):
        for suffix in _SUFFIXES:
            keep = 3 if suffix == "s" else 4
            if word.endswith(suffix) and len(word) - len(suffix) >= keep:
                word = word[: -len(suffix)]
                break
        else:
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _words_of(text: str) -> list[str]:
    """The words of ``text`` as tokenize_words finds them, without offsets (most callers need none)."""
    return WORD_PATTERN.findall(text)


@lru_cache(maxsize=65536)
def _word_stem(word: str) -> str:
    """The stem of a word as found in text."""
    return _stem(normalize_word(word))


@lru_cache(maxsize=65536)
def _content_stem(word: str) -> str | None:
    """The stem of a word that says what a sentence is about; None for "the", "12" and other small words."""
    norm = normalize_word(word)
    if norm in _STOPWORDS or not norm[:1].isalpha() or len(norm) < 2:
        return None
    return _stem(norm)


@lru_cache(maxsize=256)
def _claim_stems(text: str) -> frozenset[str]:
    """The content stems of a claim sentence (several rules ask for them, for each record the claim cites)."""
    return _content_stems(_words_of(text))


def _content_stems(words: list[str]) -> frozenset[str]:
    # A stem is never empty: filter(None) drops only the small words' None (map and filter run at C speed).
    return frozenset(filter(None, map(_content_stem, words)))


def _align(text: str, source: _Source) -> list[_Scored]:
    """Source sentences ranked by how well they align with ``text``, best first."""
    claim_stems = _claim_stems(text)
    claim_words = _sorted_words(text)
    scored: list[_Scored] = []
    for sentence in source.sentences:
        shared = len(claim_stems & sentence.stems)
        coverage = shared / len(claim_stems) if claim_stems else 0.0
        precision = shared / len(sentence.stems) if sentence.stems else 0.0
        # Character similarity settles ties between sentences sharing as many words: rapidfuzz's token_sort_ratio
        # of the normalised texts, with each sentence's words sorted once, not for every claim.
        similarity = fuzz.ratio(claim_words, sentence.sorted_words) / 100
        score = 0.6 * coverage + 0.2 * precision + 0.2 * similarity
        scored.append(_Scored(sentence, round(score, 3), shared, coverage))
    scored.sort(key=lambda item: -item.score)
    return scored


def _sorted_words(text: str) -> str:
    """The normalised words of ``text`` in sorted order, as token_sort_ratio compares them."""
    if text.isascii():
        # For ASCII text normalize() only straightens backticks, folds case and collapses white space.
        return " ".join(sorted(text.replace("`", "'").lower().split()))
    return " ".join(sorted(normalize(text).split()))


def _initials(norms: list[str]) -> tuple[str, ...]:
    """The first letters of every word, and of every word but the small ones, each as one string."""
    words = [norm for norm in norms if norm[0].isalpha()]
    every = "".join(word[0] for word in words)
    content = "".join(word[0] for word in words if word not in _STOPWORDS)
    return every, content


def _is_initials_run(norm: str, source: _Source) -> bool:
    """Whether ``norm`` is the initials of a run of 2-6 words of the source (an abbreviation it spells out)."""
    return 2 <= len(norm) <= 6 and any(norm in initials for initials in source.topic_initials)


def _word_in_topic(word: str, source: _Source, groups: tuple[frozenset[str], ...] = _RELATED_TERMS) -> bool:
    """Whether a claim word (original case) occurs in the record: stem, related word or abbreviation."""
    parts = tokenize_words(word)
    if len(parts) > 1:
        # A hyphenated word ("shock-wave", "platelet-rich") is there when each of its parts is.
        return all(_word_in_topic(part.text, source, groups) for part in parts)
    norm = normalize_word(word)
    if _stem(norm) in source.topic_stems:
        return True
    if word.isupper() and 2 <= len(word) <= 6 and _is_initials_run(norm, source):
        return True
    return any(_related_in(group, source.topic_text) for group in groups if norm in group)


def _related_in(group: frozenset[str], normalized_text: str) -> bool:
    return any(re.search(rf"\b{re.escape(member)}(?:s|es)?\b", normalized_text) for member in group)


def _phrase_in_topic(words: list[str], source: _Source, groups: tuple[frozenset[str], ...] = _RELATED_TERMS) -> bool:
    """Whether any word of the phrase, its related words, its initials or a multi-word synonym is in the record."""
    return any(_word_in_topic(word, source, groups) for word in words) or _phrase_as_whole(words, source, groups)


def _phrase_as_whole(words: list[str], source: _Source, groups: tuple[frozenset[str], ...] = _RELATED_TERMS) -> bool:
    """Whether the phrase as a whole is in the record: as its initials (PRP) or as a multi-word synonym."""
    phrase = normalize(" ".join(words))
    if any(_related_in(group, source.topic_text) for group in groups if any(m in phrase for m in group if " " in m)):
        return True
    parts = [token.norm for token in tokenize_words(" ".join(words))]
    initials = "".join(part[0] for part in parts)
    return len(parts) >= 2 and initials in source.topic_words


@lru_cache(maxsize=256)
def _claim_sentences(text: str) -> tuple[Span, ...]:
    """The claim's sentences that speak of the source, split once for every record the claim cites."""
    return tuple(span for span in split_sentences(text) if not _OWN_VOICE.occurs_in(span.text))


def _negated_before(text: str, start: int) -> bool:
    """Whether one of the few words before ``start`` negates what follows ("not always", "no cure")."""
    words = tokenize_words(text[:start])[-_NEGATION_WINDOW:]
    return any(is_negation(word.norm) for word in words)


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f'"{word}"' for word in dict.fromkeys(words))


# --- findings ------------------------------------------------------------------------------------


def _finding(
    rule: Rule, claim: Claim, source: _Source, sentence: _Sentence | None, score: float | None, message: str
) -> Finding:
    """A finding at the claim, with the source sentence it was compared with as evidence."""
    if sentence is None:
        evidence = Evidence(field="title", article_text=claim.text or "", source_text=source.record.title, score=score)
    else:
        evidence = Evidence(
            field=sentence.field,
            section=sentence.section,
            article_text=claim.text or "",
            source_text=sentence.text,
            start=sentence.start,
            end=sentence.end,
            score=score,
        )
    return Finding.about(claim, rule, message, pmid=source.record.pmid, evidence=evidence)


def _where(source: _Source, sentence: _Sentence | None) -> str:
    """Names the source sentence for a message: 'PMID 123, abstract (RESULTS): "..."'."""
    if sentence is None:
        return f'PMID {source.record.pmid}, title: "{_preview(source.record.title)}"'
    section = f" ({sentence.section})" if sentence.section else ""
    return f'PMID {source.record.pmid}, {sentence.field}{section}: "{_preview(sentence.text)}"'


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SENTENCE_PREVIEW else text[: _SENTENCE_PREVIEW - 3].rstrip() + "..."


def _best(alignment: list[_Scored]) -> tuple[_Sentence | None, float | None]:
    if not alignment:
        return None, None
    return alignment[0].sentence, alignment[0].score


# --- O301 hedge-dropped --------------------------------------------------------------------------


def _hedge_dropped(claim: Claim, source: _Source, text: str, alignment: _Alignment) -> Iterator[Finding]:
    if text.rstrip().endswith("?"):
        return
    claim_stems = _claim_stems(text)
    # Ranking needs every sentence's character similarity: only worth it when some sentence states the claim.
    # What _states_claim asks of an aligned sentence, read from the shared words alone.
    needed = max(_MIN_SHARED_FOR_HEDGE, math.ceil(_MIN_COVERAGE_FOR_HEDGE * len(claim_stems)))
    if not any(len(claim_stems & sentence.stems) >= needed for sentence in source.sentences):
        return
    if _CLAIM_HEDGE.occurs_in(text) or _SOURCE_HEDGE.occurs_in(text):
        return
    ranked = alignment.ranked
    if not ranked or not _states_claim(ranked[0]):
        return
    best = ranked[0]
    # The finding may be stated plainly in another sentence that also matches; then nothing was dropped.
    close = [item for item in ranked if _states_claim(item)]
    hedges: tuple[str, ...] = ()
    for item in close:
        found = _hedges_for(claim_stems, item.sentence.text)
        if not found:
            return
        if item is best:
            hedges = found
    message = (
        f"The source hedges this finding ({_quoted(hedges)}) but the claim states it without a hedge; "
        f"compared with {_where(source, best.sentence)}."
    )
    yield _finding(rules.HEDGE_DROPPED, claim, source, best.sentence, best.score, message)


def _states_claim(item: _Scored) -> bool:
    return item.shared >= _MIN_SHARED_FOR_HEDGE and item.coverage >= _MIN_COVERAGE_FOR_HEDGE


def _hedges_for(claim_stems: frozenset[str], sentence: str) -> tuple[str, ...]:
    """The hedges of the clause of ``sentence`` that states what the claim says (or that govern it)."""
    clauses = [clause for clause in _CLAUSE_BREAK.split(sentence) if clause and clause.strip()]
    if len(clauses) <= 1:
        return _hedge_words(sentence)
    best = max(clauses, key=lambda clause: len(claim_stems & _clause_stems(clause)))
    hedges = _hedge_words(best)
    if best is not clauses[0] and _GOVERNING_HEDGE.search(clauses[0]):
        hedges = _hedge_words(clauses[0]) + hedges
    return hedges


@lru_cache(maxsize=_SOURCE_SENTENCES)
def _clause_stems(clause: str) -> frozenset[str]:
    return _content_stems(_words_of(clause))


@lru_cache(maxsize=_SOURCE_SENTENCES)
def _hedge_words(text: str) -> tuple[str, ...]:
    words: list[str] = []
    for match in _SOURCE_HEDGE.any_case.finditer(text):
        word = match.group()
        # "May" inside a sentence is the month ("in May 2019"), not the modal verb.
        if word == "May" and match.start() > 0:
            continue
        words.append(" ".join(word.split()).lower())
    return tuple(words)


# --- O302 certainty-boosted ----------------------------------------------------------------------


def _certainty_boosted(claim: Claim, source: _Source, text: str, alignment: _Alignment) -> Iterator[Finding]:
    if text.rstrip().endswith("?") or not _ANY_CERTAINTY.occurs_in(text):
        return
    added: list[str] = []
    for claim_pattern, source_pattern in _CERTAINTY:
        for match in claim_pattern.finditer(text):
            if _negated_before(text, match.start()):
                continue
            if source.says(source_pattern):
                break
            added.append(" ".join(match.group().split()))
            break
    if not added:
        return
    sentence, score = _best(alignment.ranked)
    message = (
        f"The claim adds certainty or extent the source does not express ({_quoted(added)}); "
        f"compared with {_where(source, sentence)}."
    )
    yield _finding(rules.CERTAINTY_BOOSTED, claim, source, sentence, score, message)


# --- O303 relative-as-absolute -------------------------------------------------------------------


def _relative_as_absolute(claim: Claim, source: _Source, text: str, alignment: _Alignment) -> Iterator[Finding]:
    percents = [mention for mention in _numbers_in(text) if mention.is_percent]
    if not percents or _CLAIM_KEEPS_RELATIVE.occurs_in(text):
        return
    for mention in percents:
        share_match = _ABSOLUTE_SHARE.match(text[mention.end :])
        if share_match is None:
            continue
        relative = _relative_figure(mention.value, source)
        if relative is None or _absolute_share_in_source(mention.value, source):
            continue
        figure, sentence_text = relative
        sentence = _sentence_containing(source, sentence_text) or _best(alignment.ranked)[0]
        share = text[mention.start : mention.end] + share_match.group()
        message = (
            f'The claim gives "{share.strip()}" as a share of people, but the source gives {figure} as a '
            f"difference or ratio between groups; compared with {_where(source, sentence)}."
        )
        score = _score_of(alignment.ranked, sentence)
        yield _finding(rules.RELATIVE_AS_ABSOLUTE, claim, source, sentence, score, message)
        return


def _relative_figure(value: float, source: _Source) -> tuple[str, str] | None:
    """The source's relative figure equal to ``value`` percent (a difference, a ratio, an NNT), and its sentence."""
    for number in source.numbers:
        mention = number.mention
        proportion = mention.value < 1 and _rounds_to(mention.value * 100, value)
        if not _rounds_to(mention.value, value) and not proportion:
            continue
        before = number.sentence[max(0, mention.start - 45) : mention.start]
        after = number.sentence[mention.end :]
        if _SOURCE_RELATIVE_AFTER.match(after) or _SOURCE_RELATIVE_BEFORE.search(before):
            return f'"{_words_around(number.sentence, mention.start, mention.end)}"', number.sentence
    for text in source.abstract_texts:
        for match in _NNT.finditer(text):
            nnt = float(match.group(1))
            if nnt >= 1 and _rounds_to(100 / nnt, value, slack=1.0):
                return f'a number needed to treat of {match.group(1)} ("{match.group().strip()}")', text
        for match in _ONE_IN.finditer(text):
            total = parse_number(match.group(1))
            if not total or total < 2 or not _RELATIVE_SENTENCE.search(text):
                continue
            if _rounds_to(100 / total, value, slack=1.0):
                return f'"{match.group()}" beyond the comparison group', text
    return None


def _words_around(text: str, start: int, end: int, margin: int = 30) -> str:
    """The words within about ``margin`` characters of text[start:end], never cut mid-word, "..." where cut."""
    left = max(0, start - margin)
    if left > 0:
        left = text.rfind(" ", 0, left) + 1
    right = min(len(text), end + margin)
    if right < len(text):
        space = text.find(" ", right)
        right = len(text) if space == -1 else space
    prefix = "..." if left > 0 else ""
    suffix = "..." if right < len(text) else ""
    return f"{prefix}{text[left:right].strip()}{suffix}"


def _absolute_share_in_source(value: float, source: _Source) -> bool:
    """Whether the source itself gives the figure as a share of people ("14% of participants")."""
    for number in source.numbers:
        mention = number.mention
        if not mention.is_percent or not _rounds_to(mention.value, value):
            continue
        if _ABSOLUTE_SHARE.match(number.sentence[mention.end :]):
            return True
    return False


def _sentence_containing(source: _Source, text: str) -> _Sentence | None:
    for sentence in source.sentences:
        if text in sentence.text or sentence.text in text:
            return sentence
    return None


def _score_of(alignment: list[_Scored], sentence: _Sentence | None) -> float | None:
    for item in alignment:
        if item.sentence is sentence:
            return item.score
    return None


def _rounds_to(source_value: float, claim_value: float, *, slack: float = 0.5) -> bool:
    """Whether the source's value, rounded as the claim rounds, is the claim's value."""
    return abs(source_value - claim_value) <= slack + 1e-9


# --- O304 number-not-in-source -------------------------------------------------------------------


def _number_not_in_source(claim: Claim, source: _Source, text: str, alignment: _Alignment) -> Iterator[Finding]:
    mentions = list(_checkable_numbers(text))
    if not mentions or (not source.record.abstract and not source.numbers):
        return
    missing = [mention for mention in mentions if not _number_in_source(mention, text, source)]
    if not missing:
        return
    sentence, score = _best(alignment.ranked)
    message = (
        f"The number(s) {_quoted(mention.text for mention in missing)} appear nowhere in the title or abstract of "
        f"the source (words, rounding and units considered); compared with {_where(source, sentence)}."
    )
    yield _finding(rules.NUMBER_NOT_IN_SOURCE, claim, source, sentence, score, message)


def _checkable_numbers(text: str) -> Iterator[NumberMention]:
    """The claim's numbers that it attributes to the source: not years, reference marks, clock times or counts."""
    mentions = [mention for mention in _numbers_in(text) if _may_be_finding(mention, text)]
    if not mentions:
        return
    # Counting the claim's counts of people is slow: only done when some number is left to check.
    ignored = [match.span() for match in _REFERENCE_MARKER.finditer(text)]
    ignored += [match.span() for match in _CLOCK_TIME.finditer(text)]
    ignored += list(_count_spans(text))
    for mention in mentions:
        if not any(start <= mention.start < end for start, end in ignored):
            yield mention


def _may_be_finding(mention: NumberMention, text: str) -> bool:
    """Whether a number may state a finding: not a year, part of a name, or a small count in words."""
    if _is_year(mention, text) or _is_name_part(mention, text):
        return False
    # Number words without a unit count things the claim lists ("three different types"), not findings.
    return mention.is_percent or bool(mention.unit) or (mention.text[0].isdigit() and abs(mention.value) > 2)


@lru_cache(maxsize=256)
def _numbers_in(text: str) -> tuple[NumberMention, ...]:
    """The numbers of a claim sentence (O303 and O304 both read them, for each record the claim cites)."""
    return tuple(extract_numbers(text))


def _count_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the counts of people are: M206 checks those, so O304 leaves them alone."""
    position = 0
    for count in counts_in(text):
        start = text.find(count, position)
        if start < 0:
            start = text.find(count)
        if start >= 0:
            yield start, start + len(count)
            position = start + 1


def _is_year(mention: NumberMention, text: str) -> bool:
    if mention.is_percent or mention.unit or "." in mention.text:
        return False
    if 1900 <= mention.value <= 2100 and mention.text.isdigit():
        return True
    before = text[max(0, mention.start - 12) : mention.start]
    return bool(re.search(rf"\b(?:{_MONTH_NAMES})\.?\s*$", before, re.IGNORECASE))


def _is_name_part(mention: NumberMention, text: str) -> bool:
    """Numbers inside names: SF-36, COVID-19, T2, IL-6, 1st, 3D."""
    before = text[max(0, mention.start - 2) : mention.start]
    if re.search(r"[A-Za-z]-?$", before):
        return True
    glued = re.match(r"\d[\d.,]*([A-Za-z]+)", mention.text)
    return glued is not None and glued.group(1).lower() not in _UNIT_SCALE and glued.group(1).lower() != "fold"


def _number_in_source(mention: NumberMention, text: str, source: _Source) -> bool:
    slack = _slack(mention, text)
    wanted = _claim_values(mention, text)
    for number in source.numbers:
        if _units_clash(mention.unit, number.mention.unit):
            continue
        if any(abs(number.mention.value - value) <= slack for value in wanted):
            return True
    derived = source.derived_values + (source.percent_differences if mention.is_percent else ())
    if any(abs(candidate - value) <= slack for candidate in derived for value in wanted):
        return True
    return _converted_in_source(mention, source)


def _units_clash(first: str, second: str) -> bool:
    """Whether two known units differ (12 years is not 12 mm); an unknown or missing unit never clashes."""
    one, other = _UNIT_SCALE.get(first.lower()), _UNIT_SCALE.get(second.lower())
    return one is not None and other is not None and one != other


def _slack(mention: NumberMention, text: str) -> float:
    """How far a source value may be from the claim's and still be it: rounding, or about 10% after "about"."""
    decimals = len(mention.text.split(".")[1].rstrip("%").strip()) if "." in mention.text else 0
    rounding = 0.5 * 10**-decimals if decimals else 0.5
    if _APPROXIMATE.search(text[: mention.start]):
        return max(rounding, abs(mention.value) * 0.1)
    return rounding + 1e-9


def _claim_values(mention: NumberMention, text: str) -> list[float]:
    values = [mention.value]
    if re.search(r"\b(?:one|1)\s+(?:in|out\s+of)\s*$", text[: mention.start], re.IGNORECASE) and mention.value:
        values.append(100 / mention.value)
    return values


def _derived_values(source: _Source) -> list[float]:
    """Values the source plainly implies: proportions as percentages, fractions, NNTs and sums."""
    values: list[float] = []
    previous: NumberMention | None = None
    for number in source.numbers:
        mention = number.mention
        if 0 < mention.value < 1:
            values.append(mention.value * 100)
        if previous is not None and _is_plain_count(previous) and _is_plain_count(mention):
            values.append(previous.value + mention.value)
        previous = mention
    for pattern, value in _FRACTION_WORDS:
        if pattern.occurs_in(source.title_abstract):
            values.append(value)
    for match in _ONE_IN.finditer(source.title_abstract):
        total = parse_number(match.group(1))
        if total:
            values.extend([total, 100 / total])
    for match in _NNT.finditer(source.title_abstract):
        if float(match.group(1)):
            values.append(100 / float(match.group(1)))
    return values


def _is_plain_count(mention: NumberMention) -> bool:
    return not mention.is_percent and not mention.unit and mention.value == int(mention.value)


def _converted_in_source(mention: NumberMention, source: _Source) -> bool:
    """Whether the source gives the same quantity in another unit (12 months for 1 year, 26 weeks for 6 months)."""
    unit = _UNIT_SCALE.get(mention.unit.lower())
    if unit is None:
        return False
    wanted = mention.value * unit[1]
    for number in source.numbers:
        other = _UNIT_SCALE.get(number.mention.unit.lower())
        if other is not None and other[0] == unit[0] and wanted:
            if math.isclose(number.mention.value * other[1], wanted, rel_tol=_UNIT_TOLERANCE):
                return True
    return False


# --- O305 protocol-as-result ---------------------------------------------------------------------


def _protocol_as_result(claim: Claim, source: _Source, sentences: tuple[Span, ...]) -> Iterator[Finding]:
    signal = source.protocol
    if signal is None:
        return
    reason, sentence = signal
    for span in sentences:
        text = span.text
        if _PLAN_WORDS.occurs_in(text) or _OTHER_EVIDENCE.occurs_in(text):
            continue
        result = _RESULT_WORDS.search(text)
        if result is None:
            continue
        message = (
            f"The source is a protocol ({reason}) and reports no results, but the claim states a finding "
            f'("{result.group()}"); compared with {_where(source, sentence)}.'
        )
        yield _finding(rules.PROTOCOL_AS_RESULT, claim, source, sentence, None, message)
        return


def _protocol_signal(record: Record, sentences: tuple[_Sentence, ...]) -> _Protocol | None:
    """Why the record is a protocol (publication type, title, future-tense methods), and a sentence that shows it."""
    future = [item for item in sentences if item.field == "abstract" and _FUTURE_METHODS.occurs_in(item.text)]
    shown = future[0] if future else (sentences[0] if sentences else None)
    for publication_type in record.publication_types:
        if publication_type.strip().lower() in _PROTOCOL_TYPES:
            return f'publication type "{publication_type}"', shown
    if _PROTOCOL_TITLE.search(record.title):
        return f'its title: "{_preview(record.title)}"', shown
    if len(future) >= 2:
        words = _quoted(match.group() for item in future[:2] if (match := _FUTURE_METHODS.any_case.search(item.text)))
        return f"its abstract describes what will be done: {words}", shown
    return None


# --- O306 causal-from-association ---------------------------------------------------------------


def _causal_from_association(claim: Claim, source: _Source, text: str) -> Iterator[Finding]:
    if not source.observational or _CLAIM_ASSOCIATION.occurs_in(text):
        return
    verb = _causal_verb(text)
    if verb is None or _source_says_it(verb, source):
        return
    said = {item: match.group() for item in source.sentences if (match := _ASSOCIATION.search(item.text))}
    claim_stems = _claim_stems(text)
    if not said or len(claim_stems & source.topic_stems) < 2:
        return
    sentence = max(said, key=lambda item: len(claim_stems & item.stems))
    if not claim_stems & sentence.stems:
        return
    message = (
        f'The claim states cause ("{verb}") but the source is observational and reports an association '
        f'("{said[sentence]}"); compared with {_where(source, sentence)}.'
    )
    yield _finding(rules.CAUSAL_FROM_ASSOCIATION, claim, source, sentence, None, message)


def _causal_verb(text: str) -> str | None:
    for match in _CAUSAL.finditer(text):
        before = tokenize_words(text[: match.start()])
        previous = before[-1].norm if before else ""
        if previous in _NOUN_BEFORE:
            continue
        window = {token.norm for token in before[-2:]}
        if window & _HEDGE_BEFORE_VERB or any(is_negation(word) for word in window):
            continue
        return " ".join(match.group().split())
    return None


def _source_says_it(verb: str, source: _Source) -> bool:
    """Whether the source itself uses the causal verb; then the claim repeats the source, not overstates it."""
    stems = {_stem(token.norm) for token in tokenize_words(verb) if token.norm not in _VERB_PARTICLES}
    return bool(stems) and stems <= source.topic_stems


def _is_observational(record: Record, nonhuman: tuple[str, ...]) -> bool:
    """Observational by publication type, MeSH or wording; not a randomised trial nor a laboratory study."""
    if nonhuman:
        return False
    types = {publication_type.lower() for publication_type in record.publication_types}
    if types & _TRIAL_TYPES:
        return False
    text = f"{record.title} {record.abstract}"
    if _TRIAL_TEXT.occurs_in(text):
        return False
    mesh = {heading.lower() for heading in record.mesh_headings}
    return bool(types & _OBSERVATIONAL_TYPES or mesh & _OBSERVATIONAL_MESH or _OBSERVATIONAL_TEXT.occurs_in(text))


# --- O307 comparison-not-in-source ---------------------------------------------------------------


def _comparison_not_in_source(claim: Claim, source: _Source, text: str, alignment: _Alignment) -> Iterator[Finding]:
    for match in _RANKING.finditer(text):
        phrase = _comparator_after(text, match)
        if phrase is None:
            continue
        for term in _COMPARATOR_SPLIT.split(phrase):
            words = re.findall(r"\b[A-Za-z][\w'-]*", term)
            if any(normalize_word(word) in _GENERIC_COMPARATORS for word in words):
                continue
            words = _specific(words)
            if not words:
                continue
            if _compared_in_source(words, source):
                continue
            sentence, score = _best(alignment.ranked)
            message = (
                f'The claim ranks the intervention against "{term.strip()}" ("{match.group()} ... {phrase}"), '
                f"but the source compares it with no such thing; compared with {_where(source, sentence)}."
            )
            yield _finding(rules.COMPARISON_NOT_IN_SOURCE, claim, source, sentence, score, message)
            return


def _comparator_after(text: str, match: re.Match[str]) -> str | None:
    """The words the claim compares with: after "than", "to", "as", or the object of "outperforms"."""
    rank = match.group("rank").lower()
    rest = text[match.end() :]
    if rank.startswith(("more", "less", "better", "worse")):
        than = re.search(r"\bthan\b", rest[:160], re.IGNORECASE)
        if than is None or re.search(r"[.;]", rest[: than.start()]):
            return None
        rest = rest[than.end() :]
    elif rank in {"superior", "inferior"}:
        to = re.match(r"\s+to\b", rest, re.IGNORECASE)
        if to is None:
            return None
        rest = rest[to.end() :]
    end = _COMPARATOR_END.search(rest)
    phrase = (rest[: end.start()] if end else rest).strip()
    return phrase or None


def _compared_in_source(words: list[str], source: _Source) -> bool:
    """Whether the source compares with this: named in the title, or in a sentence that compares."""
    places = [source.record.title]
    places += [item.text for item in source.sentences if _COMPARISON_MARKERS.occurs_in(item.text)]
    return any(_names_all(words, _bare_topic(place)) for place in places)


def _names_all(words: list[str], topic: _Source) -> bool:
    """Whether every word of a comparator is in the text (or the whole of it, as initials or a synonym)."""
    return all(_word_in_topic(word, topic) for word in words) or _phrase_as_whole(words, topic)


# --- O308 animal-to-human ------------------------------------------------------------------------


def _animal_to_human(claim: Claim, source: _Source, sentences: tuple[Span, ...]) -> Iterator[Finding]:
    studied = source.nonhuman
    if not studied:
        return
    if _CLAIM_NONHUMAN.occurs_in(claim.text or ""):
        return
    sentence = next((item for item in source.sentences if _NONHUMAN_TEXT.search(item.text)), None)
    if sentence is None and source.sentences:
        sentence = _align(" ".join(span.text for span in sentences), source)[0].sentence
    message = (
        f"The source studies {_quoted(studied)}, not living people, and the claim does not say so; "
        f"compared with {_where(source, sentence)}."
    )
    yield _finding(rules.ANIMAL_TO_HUMAN, claim, source, sentence, None, message)


def _nonhuman_words(record: Record) -> list[str]:
    """What non-human material the record studies (animals, cells, cadavers), or [] for studies of people."""
    mesh = {heading.lower() for heading in record.mesh_headings}
    text = f"{record.title}\n{record.abstract}"
    if "animals" in mesh and "humans" not in mesh:
        return _nonhuman_mentions(text) or ["animals (MeSH: Animals)"]
    # A study that also involves living people (cadaveric grafts in patients, cells from a trial) is left alone.
    if _LIVING_HUMANS.search(text):
        return []
    mentions = _nonhuman_mentions(text)
    if "cadaver" in mesh:
        return mentions or ["cadavers (MeSH: Cadaver)"]
    if mesh & _NONHUMAN_MESH:
        return mentions or sorted(mesh & _NONHUMAN_MESH)
    return mentions if len(mentions) >= _MIN_NONHUMAN_MENTIONS else []


def _nonhuman_mentions(text: str) -> list[str]:
    """The animals, cells and cadavers the text names (a slow search: only run when the answer can matter)."""
    matches = _NONHUMAN_TEXT.finditer(_CADAVER_GRAFT.sub(" ", text))
    return [" ".join(match.group().lower().split()) for match in matches]


# --- O309 off-topic-claim ------------------------------------------------------------------------


def _off_topic(claim: Claim, source: _Source, text: str, alignment: _Alignment) -> Iterator[Finding]:
    for verb_start, verb_end in _EFFECT_VERB.spans_in(text):
        if not source.topic_stems:
            return
        roles = (("intervention", _subject_words(text, verb_start)), ("outcome", _object_words(text, verb_end)))
        for role, words in roles:
            if not words or _phrase_in_topic(words, source, _BROADLY_RELATED):
                continue
            sentence, score = _best(alignment.ranked)
            message = (
                f'The claim credits the source with an {role}, "{" ".join(words)}", that occurs nowhere in its '
                f"title, abstract or MeSH terms; compared with {_where(source, sentence)}."
            )
            yield _finding(rules.OFF_TOPIC_CLAIM, claim, source, sentence, score, message)
            return


def _subject_words(text: str, verb_start: int) -> list[str]:
    """The specific words of what the claim says acts (the few words before the verb, after any boundary)."""
    before = text[:verb_start]
    if re.search(r"\bto\s+$", before, re.IGNORECASE):
        # "need to be addressed to reduce pain": an infinitive has no subject of its own to judge.
        return []
    boundaries = list(_SUBJECT_BOUNDARY.finditer(before))
    if boundaries:
        before = before[boundaries[-1].end() :]
    words = re.findall(r"\b[A-Za-z][\w'-]*", before)
    while words and (words[-1].lower() in _SUBJECT_TRIM or words[-1].lower().endswith(("ly", "n't"))):
        words.pop()
    subject: list[str] = []
    for word in reversed(words):
        # The subject is the run of words right before the verb; a small word ("in helping", "of the") ends it.
        if normalize_word(word) in _STOPWORDS or len(subject) == _MAX_PHRASE_WORDS:
            break
        subject.insert(0, word)
    return _specific(subject)


def _object_words(text: str, verb_end: int) -> list[str]:
    """The specific words of what the claim says is acted on (the few words after the verb, before any boundary)."""
    after = text[verb_end:]
    boundary = _OBJECT_BOUNDARY.search(after)
    if boundary:
        after = after[: boundary.start()]
    words = re.findall(r"\b[A-Za-z][\w'-]*", after)
    return _specific(words[:_MAX_PHRASE_WORDS])


def _specific(words: list[str]) -> list[str]:
    """The words of a phrase that name something in particular (not "the", "treatment", "patients")."""
    specific: list[str] = []
    for word in words:
        bare = re.sub(r"(?:'s|')$", "", word).strip("-")
        norm = normalize_word(bare)
        if len(bare) > 1 and norm not in _STOPWORDS and norm not in _GENERIC_TERMS:
            specific.append(bare)
    return specific
