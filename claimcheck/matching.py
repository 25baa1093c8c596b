"""Find a quote in a source and say how it differs: rapidfuzz locates the passage, a word diff explains it.

The quote is split at ellipses into pieces that must appear in order. Each piece is located with
``rapidfuzz.fuzz.partial_ratio_alignment`` over the lower-cased source, and only the words around that
place are tokenised and diffed (difflib over word lists), so a check costs about the same on a long
abstract as on a short one. Differences are sorted into editorial conventions (cosmetic), changes that
can flip or inflate meaning, other rewordings, and joins of passages that are not adjacent (splices).

When the result looks doubtful (added words, several changes, nothing found), the quote is placed a
second way, by the runs of its words that occur verbatim in the source, and the better explanation
wins; runs found out of order are reported as a splice.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz

from claimcheck.model import CheckSettings, DiffOp, Record
from claimcheck.text import (
    AUXILIARIES,
    COMPARATIVES,
    EVIDENCE_WORDS,
    HEDGES,
    INTENSIFIERS,
    NUMBER_WORDS,
    QUALIFIERS,
    SENTENCE_ABBREVIATIONS,
    UNITS,
    WEAK_EVIDENCE,
    WORD_PATTERN,
    american_spelling,
    extract_numbers,
    is_negation,
    negation_prefix,
    normalize_word,
)


class Verdict(enum.Enum):
    """How a quote relates to its source, from identical to absent."""

    EXACT = "exact"
    COSMETIC = "cosmetic"
    REWORDED = "reworded"
    ALTERED = "altered"
    SPLICED = "spliced"
    NOT_FOUND = "not-found"


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """The passage of the source that best matches a quote, and every difference between them.

    ``start`` and ``end`` are character offsets into the field's text (for a Record's abstract, into
    ``Record.abstract``); ``diff`` runs over the matched span only.
    """

    verdict: Verdict
    score: float
    field: str
    section: str
    start: int | None
    end: int | None
    source_text: str
    diff: tuple[DiffOp, ...] = ()
    meaning_changes: tuple[str, ...] = ()
    cosmetic_notes: tuple[str, ...] = ()
    rewordings: tuple[str, ...] = ()
    splices: tuple[str, ...] = ()
    quote: str = ""

    @property
    def verified(self) -> bool:
        """True when the quote is the source's words, allowing only editorial conventions."""
        return self.verdict in (Verdict.EXACT, Verdict.COSMETIC)


_DEFAULT_SETTINGS = CheckSettings()
_TITLE_WORTH_A_LOOK = 70.0
"""A title must hold this share (%) of a quote's words, and align this well, to be searched instead of the abstract."""
_ADDED_RUN_WORTH_A_SECOND_LOOK = 2
"""Added words in a row that suggest rapidfuzz chose the wrong passage (see _doubtful)."""
_ANCHOR_WORDS = 3
"""The shortest run of identical words that may anchor a quote (see _anchored_region)."""
_SHOWN_GAP_WORDS = 12
"""Words a splice leaves out that are quoted in its description; longer gaps are counted."""
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'"

# --- words and their comparison keys ----------------------------------------------------------

_WORD = WORD_PATTERN
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SYMBOL_KEYS = {"%": "percent", "&": "and"}
_KEY_MEMO: dict[str, str] = {}
_KEY_MEMO_LIMIT = 200_000


def _key(word: str) -> str:
    """What a word is compared by: normalised, symbols spelt out, plain numbers, American spelling."""
    norm = "".join(normalize_word(word).split())
    if norm in _SYMBOL_KEYS:
        return _SYMBOL_KEYS[norm]
    if norm[:1].isdigit() or norm[:1] == "-":
        return norm.replace(",", "") if _THOUSANDS.fullmatch(norm) else norm
    return american_spelling(norm)


def _keys(words: Sequence[str]) -> list[str]:
    """The keys of many words, through a memo: the same words recur in every abstract."""
    memo = _KEY_MEMO
    return [memo.get(word) or _remember_key(word) for word in words]


def _remember_key(word: str) -> str:
    if len(_KEY_MEMO) >= _KEY_MEMO_LIMIT:
        _KEY_MEMO.clear()
    key = _key(word)
    _KEY_MEMO[word] = key
    return key


def _is_number(key: str) -> bool:
    return key[:1].isdigit() or (key[:1] == "-" and key[1:2].isdigit()) or key in NUMBER_WORDS


# --- the source -------------------------------------------------------------------------------

_PUNCTUATION = frozenset(".,;:!?()[]{}")
_STOPS = frozenset(".!?")
_SENTENCE_END = re.compile(r"[.!?][\"')\]\u201d\u2019]*\s")
_LOCATE_PAIRS = (
    ("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2010", "-"), ("\u2011", "-"),
    ("\u2012", "-"), ("\u2013", "-"), ("\u2014", "-"), ("\u2212", "-"), ("\u00a0", " "), ("\u00ad", " "),
)
"""One-for-one replacements (offsets must not move) so that curly quotes and dashes do not hide a verbatim quote."""


@dataclass(frozen=True, slots=True, eq=False)
class _Text:
    """One field's text as searched: the original, a lower-cased copy of the same length, section starts."""

    text: str
    lowered: str
    boundaries: tuple[int, ...]


@lru_cache(maxsize=256)
def _searchable(text: str, boundaries: tuple[int, ...] = ()) -> _Text:
    return _Text(text, _lowered(text), boundaries)


def _lowered(text: str) -> str:
    """Lower-case text for locating, keeping every offset (rare characters that change length are left)."""
    if text.isascii():
        return text.lower()
    mapped = text
    for character, replacement in _LOCATE_PAIRS:
        if character in mapped:
            mapped = mapped.replace(character, replacement)
    lowered = mapped.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower-case to two ("\u0130"); they keep their case so that offsets hold.
    return "".join(character.lower() if len(character.lower()) == 1 else character for character in mapped)


@dataclass(frozen=True, slots=True, eq=False)
class _Source:
    """The words of a stretch of a field: originals, keys, offsets into the whole field's text."""

    text: str
    words: tuple[str, ...]
    keys: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    boundaries: tuple[int, ...]

    def pause_after(self, index: int) -> bool:
        """Whether punctuation or a section end separates word ``index`` from the next."""
        gap = self._gap(index)
        return gap is None or (gap != " " and not _PUNCTUATION.isdisjoint(gap))

    def stop_after(self, index: int) -> bool:
        """Whether a sentence or section ends after word ``index`` (not after "et al." or "i.e.")."""
        gap = self._gap(index)
        if gap is None:
            return True
        if gap == " " or _STOPS.isdisjoint(gap):
            return False
        if "?" in gap or "!" in gap:
            return True
        following = self.words[index + 1] if index + 1 < len(self.words) else ""
        if following[:1].islower():
            return False
        word = self.words[index]
        # "et al." and initials ("J. Smith") end no sentence; "No. 6." does.
        return not (len(word) == 1 and word.isalpha()) and self.keys[index] not in SENTENCE_ABBREVIATIONS

    def _gap(self, index: int) -> str | None:
        """The text between word ``index`` and the next, or None across a section boundary."""
        end = self.ends[index]
        gap_end = self.starts[index + 1] if index + 1 < len(self.starts) else min(len(self.text), end + 3)
        if self.boundaries and _crosses(self.boundaries, end, gap_end):
            return None
        return self.text[end:gap_end]


def _tokens(searchable: _Text, start: int, end: int, *, floor: int = 0) -> _Source:
    """Tokenise ``text[start:end]``, widened to whole words but not before ``floor``; offsets are the text's."""
    text = searchable.text
    start = max(floor, text.rfind(" ", 0, start) + 1) if start > floor else floor
    following_space = text.find(" ", end)
    end = len(text) if following_space < 0 else following_space
    spans = [match.span() for match in _WORD.finditer(text, start, end)]
    words = tuple(text[word_start:word_end] for word_start, word_end in spans)
    starts = tuple(word_start for word_start, _ in spans)
    ends = tuple(word_end for _, word_end in spans)
    return _Source(text, words, tuple(_keys(words)), starts, ends, searchable.boundaries)


def _crosses(boundaries: tuple[int, ...], start: int, end: int) -> bool:
    index = bisect.bisect_left(boundaries, start)
    return index < len(boundaries) and boundaries[index] <= end


@lru_cache(maxsize=64)
def _whole(searchable: _Text) -> _Source:
    """Every word of a field (only needed to anchor a doubtful quote or look for splices)."""
    return _tokens(searchable, 0, len(searchable.text))


@lru_cache(maxsize=64)
def _positions(searchable: _Text) -> dict[str, list[int]]:
    """Where each key occurs in a field (only needed to anchor a doubtful quote or look for splices)."""
    positions: dict[str, list[int]] = {}
    for index, key in enumerate(_whole(searchable).keys):
        positions.setdefault(key, []).append(index)
    return positions


# --- abbreviations the source defines ---------------------------------------------------------

_DEFINITION = re.compile(r"\(([^\W_][\w.\-/]{0,11})\)")


@lru_cache(maxsize=256)
def _definitions(texts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Abbreviations the texts define, "hip osteoarthritis (OA)" -> {"oa": ("osteoarthritis",)}."""
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for match in _DEFINITION.finditer(text):
            abbreviation = match.group(1)
            if len(abbreviation) < 2 or not any(character.isupper() for character in abbreviation):
                continue
            long_form = _long_form(abbreviation, text[: match.start()].rstrip())
            if not long_form:
                continue
            keys = tuple(_keys(_WORD.findall(long_form)))
            if keys and len(keys) <= len(abbreviation) + 3:
                found.setdefault(_key(abbreviation), keys)
    return found


def _long_form(abbreviation: str, before: str) -> str | None:
    """The shortest words ending ``before`` whose letters spell the abbreviation (Schwartz and Hearst)."""
    before = before[-200:]
    short_index = len(abbreviation) - 1
    long_index = len(before) - 1
    while short_index >= 0:
        character = abbreviation[short_index].lower()
        if not character.isalnum():
            short_index -= 1
            continue
        while long_index >= 0 and (
            before[long_index].lower() != character
            or (short_index == 0 and long_index > 0 and before[long_index - 1].isalnum())
        ):
            long_index -= 1
        if long_index < 0:
            return None
        long_index -= 1
        short_index -= 1
    start = max(before.rfind(" ", 0, long_index + 1), before.rfind("(", 0, long_index + 1)) + 1
    return before[start:]


def _looks_abbreviated(word: str) -> bool:
    return sum(1 for character in word if character.isupper()) >= 2


# --- the quote --------------------------------------------------------------------------------

_OPENING_MARKS = "\"'\u201c\u2018\u00ab\u2039\u201e\u201a"
_CLOSING_MARKS = "\"'\u201d\u2019\u00bb\u203a\u201c\u2018"
_ELLIPSIS = re.compile(r"\s*(?:[\[(]\s*(?:\.\s*){3}[\])]|[\[(]\s*\u2026\s*[\])]|\u2026|\.(?:\s?\.){2,})\s*")
_BRACKET = re.compile(r"\[[^\[\]]*\]")
_BRACKETED_LETTER = re.compile(r"^\[([^\W\d_])\](?=[^\W_])")


@dataclass(frozen=True, slots=True)
class _Piece:
    """The words of one stretch of a quote between ellipses, as parallel tuples, and its search text."""

    texts: tuple[str, ...]
    keys: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    groups: tuple[int, ...]
    """For each word, the number (from 1) of the [square brackets] it is in, or 0."""
    needle: str


@dataclass(frozen=True, slots=True)
class _Quote:
    text: str
    pieces: tuple[_Piece, ...]
    trailing_stop: bool
    bracketed_letters: tuple[str, ...]


def _parse_quote(quote: str) -> _Quote:
    """Strip quotation marks, note bracketed letters and a trailing full stop, split at ellipses."""
    text = _strip_quotation_marks(quote)
    letters = tuple(f"[{letter}]" for letter in _BRACKETED_LETTER.findall(text))
    if letters:
        text = _BRACKETED_LETTER.sub(r"\1", text)
    trailing_stop = text.endswith(".") and not _ELLIPSIS.search(text[-6:] + " ")
    brackets = [match.span() for match in _BRACKET.finditer(text)] if "[" in text else []
    pieces: list[_Piece] = []
    piece_start = 0
    for match in [*_ELLIPSIS.finditer(text), None]:
        piece = _piece(text, piece_start, match.start() if match else len(text), brackets)
        if piece.keys:
            pieces.append(piece)
        if match:
            piece_start = match.end()
    return _Quote(text, tuple(pieces), trailing_stop, letters)


def _strip_quotation_marks(quote: str) -> str:
    text = quote.strip()
    while len(text) >= 2 and text[0] in _OPENING_MARKS and text[-1] in _CLOSING_MARKS:
        text = text[1:-1].strip()
    return text


def _piece(text: str, start: int, end: int, brackets: list[tuple[int, int]]) -> _Piece:
    spans = [match.span() for match in _WORD.finditer(text, start, end)]
    texts = tuple(text[word_start:word_end] for word_start, word_end in spans)
    groups = tuple(_bracket_group(brackets, word_start) for word_start, _ in spans) if brackets else (0,) * len(spans)
    needle = " ".join(_lowered(text[spans[0][0] : spans[-1][1]]).split()) if spans else ""
    return _Piece(
        texts=texts,
        keys=tuple(_keys(texts)),
        starts=tuple(word_start for word_start, _ in spans),
        ends=tuple(word_end for _, word_end in spans),
        groups=groups,
        needle=needle,
    )


def _bracket_group(brackets: list[tuple[int, int]], position: int) -> int:
    for number, (left, right) in enumerate(brackets, 1):
        if left < position < right:
            return number
    return 0


# --- alignment --------------------------------------------------------------------------------

_Block = tuple[str, int, int, int, int]
"""("=" or "~", source start, source end, quote start, quote end): equal words, or changed words."""


@dataclass(frozen=True, slots=True)
class _PieceAlignment:
    """Where one piece of the quote sits in the source, and its diff in blocks over ``source``'s words."""

    piece: _Piece
    source: _Source
    blocks: tuple[_Block, ...]
    first: int
    last: int
    located: tuple[int, int] = (0, 0)
    """The characters rapidfuzz located (the closest passage, should the quote not be found)."""


@dataclass(frozen=True, slots=True)
class _Context:
    """What the explanation of one match needs besides the quote and the source words."""

    texts: tuple[str, ...]
    context_keys: frozenset[str]
    settings: CheckSettings

    def definitions(self) -> dict[str, tuple[str, ...]]:
        """The abbreviations the record defines (worked out only when a changed word needs them)."""
        return _definitions(self.texts)


def _align_piece(
    piece: _Piece, searchable: _Text, from_char: int, context: _Context, region: tuple[int, int] | None = None
) -> _PieceAlignment | None:
    """Locate one piece after ``from_char`` (or take ``region``), then diff it against the words there."""
    if region is None:
        region = _locate(piece, searchable, from_char)
        if region is None:
            return None
    located_start, located_end = region
    size = len(piece.keys)
    padding = 2 + size // 6
    margin = 30 + 7 * padding
    source = _tokens(searchable, located_start - margin, located_end + margin, floor=from_char)
    if not source.keys:
        return None
    begin = min(bisect.bisect_right(source.ends, located_start), len(source.keys) - 1)
    if source.keys[begin : begin + size] == piece.keys:
        exact: tuple[_Block, ...] = (("=", begin, begin + size, 0, size),)
        return _PieceAlignment(piece, source, exact, begin, begin + size - 1, (located_start, located_end))
    finish = max(begin + 1, bisect.bisect_left(source.starts, located_end))
    start, end = _window(source, begin, finish, padding=padding)
    blocks = _diff(source, piece, start, end, context)
    spans = [(block[1], block[2]) for block in blocks if block[2] > block[1]]
    first, last = (spans[0][0], spans[-1][1] - 1) if spans else (begin, max(begin, finish - 1))
    return _PieceAlignment(piece, source, tuple(blocks), first, last, (located_start, located_end))


def _locate(piece: _Piece, searchable: _Text, from_char: int) -> tuple[int, int] | None:
    """The characters after ``from_char`` that rapidfuzz aligns the piece with."""
    haystack = searchable.lowered[from_char:] if from_char else searchable.lowered
    if not haystack.strip():
        return None
    position = _find_words(haystack, piece.needle)
    if position >= 0:
        # Verbatim (after lower-casing): str.find is a hundred times faster than an alignment.
        return from_char + position, from_char + position + len(piece.needle)
    found = fuzz.partial_ratio_alignment(piece.needle, haystack)
    if found is None:
        return None
    return from_char + found.dest_start, from_char + found.dest_end


def _find_words(haystack: str, needle: str) -> int:
    """Where ``needle`` occurs in ``haystack`` as whole words ("of 1" is not in "of 14"), or -1."""
    position = haystack.find(needle)
    while position >= 0:
        end = position + len(needle)
        if (position == 0 or not haystack[position - 1].isalnum()) and (
            end == len(haystack) or not haystack[end].isalnum()
        ):
            return position
        position = haystack.find(needle, position + 1)
    return -1


def _anchored_region(piece: _Piece, searchable: _Text, min_words: int) -> tuple[int, int] | None:
    """Where runs of the quote's words occur verbatim, in order: a second opinion when rapidfuzz misplaces it.

    A character alignment favours passages as long as the quote, so a quote that leaves words out can be
    placed on a similar sentence nearby; runs of identical words place it by its words instead.
    """
    source = _whole(searchable)
    runs = _best_chain(_all_runs(piece.keys, source.keys, _positions(searchable), min_words))
    if not runs:
        return None
    first_quote, first_source, _ = runs[0]
    last_quote, last_source, last_length = runs[-1]
    start = max(0, first_source - first_quote)
    end = min(len(source.keys) - 1, last_source + last_length - 1 + len(piece.keys) - last_quote - last_length)
    return source.starts[start], source.ends[end]


def _window(source: _Source, begin: int, finish: int, *, padding: int) -> tuple[int, int]:
    """Widen the located words by ``padding`` on each side, but not across a sentence end."""
    start, end = begin, finish
    for _ in range(padding):
        if start == 0 or source.stop_after(start - 1):
            break
        start -= 1
    for _ in range(padding):
        if end >= len(source.keys) or source.stop_after(end - 1):
            break
        end += 1
    return start, end


def _diff(source: _Source, piece: _Piece, start: int, end: int, context: _Context) -> list[_Block]:
    """Diff the piece against source words start..end, trimmed; retried without a stray sentence fragment."""
    blocks = _trim(_diff_blocks(source.keys[start:end], piece.keys, start), source, piece, context)
    spans = [(block[1], block[2]) for block in blocks if block[2] > block[1]]
    if not spans:
        return blocks
    span_start, span_end = source.starts[spans[0][0]], source.ends[spans[-1][1] - 1]
    crosses = bool(source.boundaries) and _crosses(source.boundaries, span_start, span_end)
    if not crosses and not _SENTENCE_END.search(source.text, span_start, span_end):
        return blocks
    stops = [i for i in range(spans[0][0], spans[-1][1] - 1) if source.stop_after(i)]
    if not stops:
        return blocks
    # A quote of one sentence can align its first or last word with a word of the next sentence;
    # the diff that straddles fewer sentence ends wins when it changes no more words.
    best, best_cost, best_equal = blocks, _changed_words(blocks), _equal_words(blocks)
    for low, high in ((stops[0] + 1, end), (start, stops[-1] + 1)):
        if high - low < 1:
            continue
        retry = _trim(_diff_blocks(source.keys[low:high], piece.keys, low), source, piece, context)
        # Only a stray word or two may be given up; a real multi-sentence quote keeps its sentences.
        if _changed_words(retry) < best_cost and _equal_words(retry) >= best_equal - 2:
            best, best_cost, best_equal = retry, _changed_words(retry), _equal_words(retry)
    return best


def _changed_words(blocks: list[_Block]) -> int:
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in blocks if tag == "~")


def _equal_words(blocks: list[_Block]) -> int:
    return sum(i2 - i1 for tag, i1, i2, _, _ in blocks if tag == "=")


def _diff_blocks(source_keys: Sequence[str], quote_keys: Sequence[str], offset: int = 0) -> list[_Block]:
    """difflib's opcodes over words, with neighbouring changes merged into one "~" block."""
    blocks: list[_Block] = []
    matcher = SequenceMatcher(None, source_keys, quote_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks.append(("=", offset + i1, offset + i2, j1, j2))
        elif blocks and blocks[-1][0] == "~":
            previous = blocks[-1]
            blocks[-1] = ("~", previous[1], offset + i2, previous[3], j2)
        else:
            blocks.append(("~", offset + i1, offset + i2, j1, j2))
    return blocks


def _trim(blocks: list[_Block], source: _Source, piece: _Piece, context: _Context) -> list[_Block]:
    """Drop the window's source words outside the quote, keeping edge words the quote visibly changed."""
    if not any(block[0] == "=" for block in blocks):
        return blocks
    trimmed = list(blocks)
    if trimmed[0][0] == "~":
        _, i1, i2, j1, j2 = trimmed[0]
        kept = 0
        while kept < min(i2 - i1, j2 - j1) and _similar(source, i2 - 1 - kept, piece, j2 - 1 - kept, context):
            kept += 1
        trimmed[0] = ("~", i2 - kept, i2, j1, j2)
    if trimmed[-1][0] == "~":
        _, i1, i2, j1, j2 = trimmed[-1]
        kept = 0
        while kept < min(i2 - i1, j2 - j1) and _similar(source, i1 + kept, piece, j1 + kept, context):
            kept += 1
        trimmed[-1] = ("~", i1, i1 + kept, j1, j2)
    return [block for block in trimmed if block[2] > block[1] or block[4] > block[3]]


def _similar(source: _Source, i: int, piece: _Piece, j: int, context: _Context) -> bool:
    """Whether a quote word plausibly replaces a source word (a number, an inflection, a long form)."""
    source_key, quote_key = source.keys[i], piece.keys[j]
    if _is_number(source_key) and _is_number(quote_key):
        return True
    if _looks_abbreviated(source.words[i]) or _looks_abbreviated(piece.texts[j]):
        definitions = context.definitions()
        if quote_key in definitions.get(source_key, ()) or source_key in definitions.get(quote_key, ()):
            return True
    return fuzz.ratio(source_key, quote_key) >= 60


def word_diff(source_words: Sequence[str], quote_words: Sequence[str]) -> tuple[DiffOp, ...]:
    """A word diff: ("=", word), ("-", source word), ("+", quote word), compared after normalisation."""
    source_keys = [_key(word) for word in source_words]
    quote_keys = [_key(word) for word in quote_words]
    result: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in _diff_blocks(source_keys, quote_keys):
        if tag == "=":
            result.extend(("=", word) for word in source_words[i1:i2])
            continue
        result.extend(("-", word) for word in source_words[i1:i2])
        result.extend(("+", word) for word in quote_words[j1:j2])
    return tuple(result)


# --- verifying a quote ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    searchable: _Text
    sections: tuple[tuple[str, int, int], ...]


def verify_quote(
    quote: str,
    source: str | Record,
    *,
    settings: CheckSettings = _DEFAULT_SETTINGS,
    context: str = "",
) -> QuoteMatch:
    """Find ``quote`` in a text, or in a record's title and abstract sections, and say how it differs.

    ``context`` is the article's text around the quote: a hedge or negation the quote leaves out at its
    edge is not held against it when the article says that word outside the quotation marks.
    """
    parsed = _parse_quote(quote)
    fields = _fields(source)
    if not parsed.pieces or not fields:
        name = fields[0].name if fields else ("text" if isinstance(source, str) else "")
        return QuoteMatch(Verdict.NOT_FOUND, 0.0, name, "", None, None, "", quote=quote)
    details = _Context(
        texts=tuple(candidate.searchable.text for candidate in fields),
        context_keys=frozenset(_keys(_WORD.findall(context))) if context else frozenset(),
        settings=settings,
    )
    chosen = _likeliest_field(parsed, fields)
    best, added_run = _match_field(parsed, chosen, details, quote)
    if best.verified:
        return best
    if len(parsed.pieces) > 1:
        return best if best.verdict is not Verdict.NOT_FOUND else _best_elsewhere(parsed, fields, chosen, details, best)
    if _doubtful(best, added_run):
        best, added_run = _second_look(parsed, fields, details, best, added_run)
    if best.verdict is Verdict.NOT_FOUND or added_run >= settings.quote_splice_min_words:
        for candidate in fields:
            spliced = _find_splice(parsed, candidate, settings, quote)
            if spliced is not None:
                return spliced
    return best


def _second_look(
    parsed: _Quote, fields: list[_Field], context: _Context, best: QuoteMatch, added_run: int
) -> tuple[QuoteMatch, int]:
    """Place a one-piece quote by its verbatim runs of words in each field; keep whichever explains more."""
    for candidate in fields:
        region = _anchored_region(parsed.pieces[0], candidate.searchable, _ANCHOR_WORDS)
        if region is None:
            continue
        anchored, added_run_there = _match_field(parsed, candidate, context, best.quote, region=region)
        if _better(anchored, best):
            best, added_run = anchored, added_run_there
    return best, added_run


def _doubtful(match: QuoteMatch, added_run: int) -> bool:
    """Whether rapidfuzz may have placed the quote on the wrong passage, so its words should place it.

    Signs: no match, a run of added words, added words at an edge, or several separate changes.
    """
    if match.verdict is Verdict.NOT_FOUND or added_run >= _ADDED_RUN_WORTH_A_SECOND_LOOK:
        return True
    if match.diff and (match.diff[0][0] == "+" or _ends_with_an_addition(match.diff)):
        return True
    return len(match.rewordings) + len(match.meaning_changes) + len(match.splices) >= 2


def _better(match: QuoteMatch, other: QuoteMatch) -> bool:
    """Whether ``match`` explains more of the quote's words as the source's than ``other`` (then scores higher)."""
    if (match.verdict is Verdict.NOT_FOUND) != (other.verdict is Verdict.NOT_FOUND):
        return other.verdict is Verdict.NOT_FOUND
    return (_matched_words(match), match.score) > (_matched_words(other), other.score)


def _matched_words(match: QuoteMatch) -> int:
    return sum(1 for op, _ in match.diff if op == "=")


def _ends_with_an_addition(diff: tuple[DiffOp, ...]) -> bool:
    """Whether the diff ends with added words that replace nothing (a replaced last word is no sign)."""
    index = len(diff) - 1
    while index >= 0 and diff[index][0] == "+":
        index -= 1
    return index < len(diff) - 1 and (index < 0 or diff[index][0] != "-")


def _best_elsewhere(
    parsed: _Quote, fields: list[_Field], chosen: _Field, context: _Context, best: QuoteMatch
) -> QuoteMatch:
    """The best match in the fields not yet searched (for a quote of several pieces not found in ``chosen``)."""
    for candidate in fields:
        if candidate is not chosen:
            match, _ = _match_field(parsed, candidate, context, best.quote)
            if match.score > best.score:
                best = match
    return best


def _fields(source: str | Record) -> list[_Field]:
    """The texts to search: the string itself, or a record's abstract (with its sections) and title."""
    if isinstance(source, str):
        return [_Field("text", _searchable(source), (("", 0, len(source)),))] if _WORD.search(source) else []
    sections: list[tuple[str, int, int]] = []
    position = 0
    for section in source.abstract_sections:
        sections.append((section.label, position, position + len(section.text)))
        position += len(section.text) + 1
    fields: list[_Field] = []
    abstract = source.abstract
    if _WORD.search(abstract):
        boundaries = tuple(start for _, start, _ in sections[1:])
        fields.append(_Field("abstract", _searchable(abstract, boundaries), tuple(sections)))
    if _WORD.search(source.title):
        fields.append(_Field("title", _searchable(source.title), (("", 0, len(source.title)),)))
    return fields


def _likeliest_field(parsed: _Quote, fields: list[_Field]) -> _Field:
    """The field whose text holds the quote best; only that one is diffed word by word."""
    if len(fields) == 1:
        return fields[0]
    needle = " ".join(piece.needle for piece in parsed.pieces)
    title = fields[-1].searchable.lowered
    # Most quotes share few words with the title; counting shared words is far cheaper than aligning.
    needle_words = [word.strip(_EDGE_PUNCTUATION) for word in needle.split()]
    title_words = {word.strip(_EDGE_PUNCTUATION) for word in title.split()}
    shared = sum(1 for word in needle_words if word in title_words)
    if shared * 100 < len(needle_words) * _TITLE_WORTH_A_LOOK:
        return fields[0]
    title_score = _pieces_containment(parsed, title)
    if title_score < _TITLE_WORTH_A_LOOK:
        return fields[0]
    return fields[-1] if title_score > _pieces_containment(parsed, fields[0].searchable.lowered) else fields[0]


def _pieces_containment(parsed: _Quote, haystack: str) -> float:
    """How well a text holds each piece of the quote, averaged by the pieces' lengths (0-100)."""
    total = sum(len(piece.needle) for piece in parsed.pieces)
    return sum(_containment(piece.needle, haystack) * len(piece.needle) for piece in parsed.pieces) / total


def _containment(needle: str, haystack: str) -> float:
    """How well the field holds the quote (0-100); a quote longer than the field cannot be wholly in it."""
    if needle in haystack:
        return 100.0
    if len(needle) * _TITLE_WORTH_A_LOOK > len(haystack) * 100:
        return 100.0 * len(haystack) / len(needle)
    return fuzz.partial_ratio(needle, haystack)


@dataclass
class _Findings:
    """What the comparison of a quote with one passage found (filled in step by step)."""

    diff: list[DiffOp] = field(default_factory=list)
    meaning: list[str] = field(default_factory=list)
    cosmetic: list[str] = field(default_factory=list)
    rewordings: list[str] = field(default_factory=list)
    splices: list[str] = field(default_factory=list)
    source_side: list[str] = field(default_factory=list)
    quote_side: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0


def _match_field(
    parsed: _Quote, candidate: _Field, context: _Context, quote: str, *, region: tuple[int, int] | None = None
) -> tuple[QuoteMatch, int]:
    """Align every piece in order in one field and explain the result; also the longest unexplained run.

    ``region`` places a one-piece quote instead of rapidfuzz (see _anchored_region).
    """
    searchable = candidate.searchable
    alignments: list[_PieceAlignment] = []
    from_char = 0
    for piece in parsed.pieces:
        alignment = _align_piece(piece, searchable, from_char, context, region)
        if alignment is None:
            alignment = _missing_piece(piece, searchable, from_char)
        alignments.append(alignment)
        from_char = alignment.source.ends[alignment.last]
    first, last = alignments[0], alignments[-1]
    found = _Findings(start=first.source.starts[first.first], end=last.source.ends[last.last])
    longest_added = 0
    for number, alignment in enumerate(alignments):
        if number:
            _note_ellipsis_gap(found, searchable, alignments[number - 1], alignment)
        longest_added = max(longest_added, _explain_piece(found, parsed, alignment, context))
        _note_first_letter(found, alignment, first_piece=number == 0, parsed=parsed)
    _note_edges(found, alignments, context, parsed)
    score = _score(found)
    verdict = _verdict(found, score, context.settings)
    if verdict is Verdict.NOT_FOUND:
        # The closest passage is what rapidfuzz located, shown whole and not explained: its differences
        # are not changes to a quote that was found.
        found.meaning, found.cosmetic, found.rewordings, found.splices = [], [], [], []
        found.start, found.end = _whole_words(searchable.text, first.located[0], last.located[1])
        passage = _WORD.findall(searchable.text, found.start, found.end)
        found.diff = list(word_diff(passage, [word for piece in parsed.pieces for word in piece.texts]))
    match = QuoteMatch(
        verdict=verdict,
        score=round(score, 4),
        field=candidate.name,
        section=_section_label(candidate.sections, found.start, found.end),
        start=found.start,
        end=found.end,
        source_text=searchable.text[found.start : found.end],
        diff=tuple(found.diff),
        meaning_changes=tuple(found.meaning),
        cosmetic_notes=tuple(found.cosmetic),
        rewordings=tuple(found.rewordings),
        splices=tuple(found.splices),
        quote=quote,
    )
    return match, longest_added


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a character span to the words it cuts, trimming spaces and punctuation at its edges."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _missing_piece(piece: _Piece, searchable: _Text, from_char: int) -> _PieceAlignment:
    """A piece with nothing left to search: all its words are additions, placed at the last word."""
    source = _tokens(searchable, from_char - 40, len(searchable.text))
    if not source.keys:
        source = _whole(searchable)
    place = len(source.keys) - 1
    located = (source.starts[place], source.ends[place])
    return _PieceAlignment(piece, source, (("~", place + 1, place + 1, 0, len(piece.keys)),), place, place, located)


def _verdict(found: _Findings, score: float, settings: CheckSettings) -> Verdict:
    if score < settings.quote_match_threshold:
        return Verdict.NOT_FOUND
    if found.meaning:
        return Verdict.ALTERED
    if found.splices:
        return Verdict.SPLICED
    if found.rewordings:
        return Verdict.REWORDED
    if found.cosmetic:
        return Verdict.COSMETIC
    return Verdict.EXACT


def _score(found: _Findings) -> float:
    """How alike the compared words are (0-1), counting neither editorial conventions nor marked gaps."""
    quote_side = " ".join(found.quote_side)
    if not quote_side:
        return 0.0
    source_side = " ".join(found.source_side)
    if source_side == quote_side:
        return 1.0
    return fuzz.ratio(source_side, quote_side) / 100.0


def _section_label(sections: tuple[tuple[str, int, int], ...], start: int, end: int) -> str:
    labels: list[str] = []
    for label, section_start, section_end in sections:
        if label and start < section_end and end > section_start and label not in labels:
            labels.append(label)
    return ", ".join(labels)


# --- explaining the differences ---------------------------------------------------------------


def _note_ellipsis_gap(
    found: _Findings, searchable: _Text, previous: _PieceAlignment, alignment: _PieceAlignment
) -> None:
    gap_start = previous.source.ends[previous.last]
    gap_end = alignment.source.starts[alignment.first]
    if gap_end <= gap_start:
        return
    omitted = [match.group() for match in _WORD.finditer(searchable.text, gap_start, gap_end)]
    if not omitted:
        return
    found.diff.extend(("-", word) for word in omitted)
    noun = "word" if len(omitted) == 1 else "words"
    found.cosmetic.append(f"an ellipsis stands for {len(omitted)} omitted {noun}")


def _explain_piece(found: _Findings, parsed: _Quote, alignment: _PieceAlignment, context: _Context) -> int:
    """Record one piece's diff and explain each block of changes; return the longest unexplained added run."""
    piece, source = alignment.piece, alignment.source
    editorial = _editorial(alignment)
    equal_total = sum(i2 - i1 for tag, i1, i2, _, _ in alignment.blocks if tag == "=")
    equal_before = 0
    longest_added = 0
    for tag, i1, i2, j1, j2 in alignment.blocks:
        if tag == "=":
            _record_equal(found, source, piece, i1, i2, j1)
            equal_before += i2 - i1
            continue
        found.diff.extend(("-", word) for word in source.words[i1:i2])
        found.diff.extend(("+", f"[{piece.texts[j]}]" if editorial[j] else piece.texts[j]) for j in range(j1, j2))
        if j1 == j2 and _is_splice_gap(source, i1, i2, equal_before, equal_total - equal_before, context.settings):
            _explain_splice_gap(found, parsed, source, piece, i1, i2, j1)
            continue
        longest_added = max(longest_added, _longest_false_run(editorial[j1:j2]))
        _explain_block(found, parsed, alignment, editorial, list(range(i1, i2)), list(range(j1, j2)), context)
    return longest_added


def _editorial(alignment: _PieceAlignment) -> tuple[bool, ...]:
    """Which quote words are the editor's [insertions]: bracketed, in brackets the source does not share.

    Square brackets that the source has too ("[95% CI 1.2 to 3.4]") are the source's words, so a word
    added inside them is a change like any other.
    """
    groups = alignment.piece.groups
    if not any(groups):
        return (False,) * len(groups)
    matched: dict[int, int] = {}
    for tag, _, _, j1, j2 in alignment.blocks:
        if tag == "=":
            for j in range(j1, j2):
                matched[groups[j]] = matched.get(groups[j], 0) + 1
    sizes: dict[int, int] = {}
    for group in groups:
        sizes[group] = sizes.get(group, 0) + 1
    shared = {group for group, count in matched.items() if group and count * 2 >= sizes[group]}
    return tuple(group > 0 and group not in shared for group in groups)


def _record_equal(found: _Findings, source: _Source, piece: _Piece, i1: int, i2: int, j1: int) -> None:
    source_words = source.words[i1:i2]
    found.diff.extend(("=", word) for word in source_words)
    keys = source.keys[i1:i2]
    found.source_side.extend(keys)
    found.quote_side.extend(keys)
    quote_words = piece.texts[j1 : j1 + i2 - i1]
    if source_words == quote_words:
        return
    for source_word, quote_word in zip(source_words, quote_words):
        source_norm, quote_norm = normalize_word(source_word), normalize_word(quote_word)
        if source_norm == quote_norm:
            continue
        if american_spelling(source_norm) != source_norm or american_spelling(quote_norm) != quote_norm:
            found.cosmetic.append(f'spells "{source_word}" as "{quote_word}" (British and American spelling)')


def _longest_false_run(flags: Sequence[bool]) -> int:
    longest = current = 0
    for flag in flags:
        current = 0 if flag else current + 1
        longest = max(longest, current)
    return longest


def _is_splice_gap(
    source: _Source, i1: int, i2: int, equal_before: int, equal_after: int, settings: CheckSettings
) -> bool:
    """A run of source words the quote skips silently, between two runs long enough to be passages."""
    if equal_before < settings.quote_splice_min_words or equal_after < settings.quote_splice_min_words:
        return False
    return i2 - i1 >= 3 or any(source.stop_after(i) for i in range(i1 - 1, i2))


def _explain_splice_gap(
    found: _Findings, parsed: _Quote, source: _Source, piece: _Piece, i1: int, i2: int, j: int
) -> None:
    left = _tail_words(parsed.text, piece, 0, j)
    right = _head_words(parsed.text, piece, j, len(piece.keys))
    if i2 - i1 <= _SHOWN_GAP_WORDS:
        found.splices.append(f'joins "{left}" to "{right}", leaving out "{_source_slice(source, i1, i2 - 1)}"')
    else:
        found.splices.append(f'joins "{left}" to "{right}", which is {i2 - i1} words further on in the source')
    if any(source.stop_after(i) for i in range(i1 - 1, i2)):
        return
    # Within one sentence, a silently skipped negation or hedge also changes what the sentence says.
    for i in range(i1, i2):
        if _negates(source.keys[i], _next_key(source.keys, i)):
            found.meaning.append(f'drops the negation "{source.words[i]}"')
        elif source.keys[i] in HEDGES:
            found.meaning.append(f'drops the hedge "{source.words[i]}"')


def _explain_block(
    found: _Findings,
    parsed: _Quote,
    alignment: _PieceAlignment,
    editorial: tuple[bool, ...],
    removed: list[int],
    added: list[int],
    context: _Context,
) -> None:
    """Sort one block of changed words into conventions, meaning changes and rewordings."""
    source, piece = alignment.source, alignment.piece
    bracketed = [j for j in added if editorial[j]]
    plain = [j for j in added if not editorial[j]]
    removed_keys = [source.keys[i] for i in removed]
    if bracketed:
        # The editor's [insertion] stands in for whatever source words the block drops.
        found.meaning.extend(_meaning_changes(source, removed, piece, bracketed))
        bracket_text = _quote_slice(parsed.text, piece, bracketed, parentheses=False)
        if removed:
            found.cosmetic.append(f'{bracket_text} stands for "{_source_slice(source, removed[0], removed[-1])}"')
        else:
            found.cosmetic.append(f"{bracket_text} is an editorial insertion")
        found.source_side.extend(removed_keys)
        found.quote_side.extend(removed_keys)
        if not plain:
            return
        removed, removed_keys = [], []
    added_keys = [piece.keys[j] for j in plain]
    if "".join(removed_keys) == "".join(added_keys):
        # Only hyphens or spaces differ ("follow-up", "follow up", "followup").
        found.source_side.extend(removed_keys)
        found.quote_side.extend(removed_keys)
        return
    expansion = _abbreviation_note(parsed, source, piece, removed, plain, context)
    if expansion:
        found.cosmetic.append(expansion)
        found.source_side.extend(removed_keys)
        found.quote_side.extend(removed_keys)
        return
    found.source_side.extend(removed_keys)
    found.quote_side.extend(added_keys)
    meaning = _meaning_changes(source, removed, piece, plain)
    if meaning:
        found.meaning.extend(meaning)
        return
    found.rewordings.append(_describe_rewording(parsed, source, piece, removed, plain))


def _abbreviation_note(
    parsed: _Quote, source: _Source, piece: _Piece, removed: list[int], added: list[int], context: _Context
) -> str | None:
    """A note if the block only swaps an abbreviation for the long form the source defines (or back)."""
    if len(removed) == 1 and added and _looks_abbreviated(source.words[removed[0]]):
        long_form = context.definitions().get(source.keys[removed[0]])
        if long_form == tuple(piece.keys[j] for j in added):
            written = _quote_slice(parsed.text, piece, added, parentheses=False)
            return f'writes out "{source.words[removed[0]]}" as "{written}", as the source defines it'
    if len(added) == 1 and removed and _looks_abbreviated(piece.texts[added[0]]):
        long_form = context.definitions().get(piece.keys[added[0]])
        if long_form == tuple(source.keys[i] for i in removed):
            written = _source_slice(source, removed[0], removed[-1])
            return f'abbreviates "{written}" to "{piece.texts[added[0]]}", as the source defines it'
    return None


def _meaning_changes(source: _Source, removed: list[int], piece: _Piece, added: list[int]) -> list[str]:
    """Changes that can flip or inflate meaning: negations, numbers, units, hedges, qualifiers, comparatives."""
    removed_words = [(source.words[i], source.keys[i], _next_key(source.keys, i)) for i in removed]
    added_words = [(piece.texts[j], piece.keys[j], _next_key(piece.keys, j)) for j in added]
    changes = _changed_kind("negation", removed_words, added_words, _negates)
    for removed_word, removed_key, _ in removed_words:
        for added_word, added_key, _ in added_words:
            prefix = negation_prefix(removed_key, added_key)
            if prefix:
                changes.append(f'changes "{removed_word}" to "{added_word}" (the prefix "{prefix}-" negates)')
    changes.extend(_number_changes([word for word, _, _ in removed_words], [word for word, _, _ in added_words]))
    changes.extend(_unit_changes(source, removed, piece, added))
    changes.extend(_changed_kind("hedge", removed_words, added_words, lambda key, _: key in HEDGES))
    changes.extend(_changed_kind("qualifier", removed_words, added_words, _is_qualifier))
    changes.extend(_changed_kind("comparative", removed_words, added_words, lambda key, _: key in COMPARATIVES))
    return changes


def _negates(key: str, next_key: str) -> bool:
    """Whether a word negates; "No" before a number ("chromosome No. 6") is an abbreviation."""
    return is_negation(key) and not (key == "no" and _is_number(next_key))


def _next_key(keys: Sequence[str], index: int) -> str:
    return keys[index + 1] if index + 1 < len(keys) else ""


def _is_qualifier(key: str, next_key: str) -> bool:
    if key in QUALIFIERS or key in INTENSIFIERS:
        return True
    return key in WEAK_EVIDENCE and next_key in EVIDENCE_WORDS


def _changed_kind(
    kind: str,
    removed: list[tuple[str, str, str]],
    added: list[tuple[str, str, str]],
    belongs: Callable[[str, str], bool],
) -> list[str]:
    """Words of one kind the quote drops, adds or swaps; a hedge for another hedge ("might" for "may") is kept."""
    dropped_words = [word for word, key, next_key in removed if belongs(key, next_key)]
    added_kind = [word for word, key, next_key in added if belongs(key, next_key)]
    if kind == "hedge" and len(dropped_words) == len(added_kind):
        return []
    dropped = _surplus(dropped_words, added_kind)
    extra = _surplus(added_kind, dropped_words)
    if kind == "comparative" and len(dropped) == 1 and len(extra) == 1:
        return [f'changes the comparative "{dropped[0]}" to "{extra[0]}"']
    changes = [f'drops the {kind} "{word}"' for word in dropped]
    changes.extend(f'adds the {kind} "{word}"' for word in extra)
    return changes


def _surplus(first: list[str], second: list[str]) -> list[str]:
    """The words of ``first`` left over after removing one match for each word of ``second``."""
    remaining = [normalize_word(word) for word in second]
    surplus: list[str] = []
    for word in first:
        norm = normalize_word(word)
        if norm in remaining:
            remaining.remove(norm)
        else:
            surplus.append(word)
    return surplus


def _number_changes(removed_words: list[str], added_words: list[str]) -> list[str]:
    removed_numbers = extract_numbers(" ".join(removed_words))
    added_numbers = extract_numbers(" ".join(added_words))
    removed_values = [mention.value for mention in removed_numbers]
    added_values = [mention.value for mention in added_numbers]
    if sorted(removed_values) == sorted(added_values):
        return []
    if len(removed_numbers) == 1 and len(added_numbers) == 1:
        return [f'changes the number "{removed_numbers[0].text}" to "{added_numbers[0].text}"']
    changes = [f'drops the number "{number.text}"' for number in removed_numbers if number.value not in added_values]
    changes.extend(f'adds the number "{number.text}"' for number in added_numbers if number.value not in removed_values)
    return changes or ["repeats or leaves out a number"]


def _unit_changes(source: _Source, removed: list[int], piece: _Piece, added: list[int]) -> list[str]:
    """A unit word changed next to a number ("5 mg" quoted as "5 g")."""
    removed_units = [source.words[i] for i in removed if i and _is_unit(source.keys[i], source.keys[i - 1])]
    added_units = [piece.texts[j] for j in added if j and _is_unit(piece.keys[j], piece.keys[j - 1])]
    dropped = _surplus(removed_units, added_units)
    extra = _surplus(added_units, removed_units)
    if len(dropped) == 1 and len(extra) == 1:
        return [f'changes the unit "{dropped[0]}" to "{extra[0]}"']
    changes = [f'drops the unit "{word}"' for word in dropped]
    changes.extend(f'adds the unit "{word}"' for word in extra)
    return changes


def _is_unit(key: str, previous_key: str) -> bool:
    return key in UNITS and _is_number(previous_key)


def _describe_rewording(parsed: _Quote, source: _Source, piece: _Piece, removed: list[int], added: list[int]) -> str:
    if removed and added:
        old = _source_slice(source, removed[0], removed[-1])
        return f'replaces "{old}" with "{_quote_slice(parsed.text, piece, added, parentheses=True)}"'
    if added:
        return f'adds "{_quote_slice(parsed.text, piece, added, parentheses=True)}"'
    return f'drops "{_source_slice(source, removed[0], removed[-1])}"'


def _note_first_letter(found: _Findings, alignment: _PieceAlignment, *, first_piece: bool, parsed: _Quote) -> None:
    """Note a first letter whose case the quote changed (an allowed convention), once per piece."""
    tag, i1, _, j1, _ = alignment.blocks[0]
    if tag != "=" or (first_piece and parsed.bracketed_letters and j1 == 0):
        return
    source_word, quote_word = alignment.source.words[i1], alignment.piece.texts[j1]
    source_letter, quote_letter = source_word[:1], quote_word[:1]
    if source_letter != quote_letter and source_letter.lower() == quote_letter.lower() and source_letter.isalpha():
        found.cosmetic.append(f'changes the case of the first letter ("{quote_word}" for "{source_word}")')


def _note_edges(found: _Findings, alignments: list[_PieceAlignment], context: _Context, parsed: _Quote) -> None:
    """Hedges and negations just outside the quoted words, a trailing full stop, bracketed letters."""
    first, last = alignments[0], alignments[-1]
    before = _word_before(first.source, first.first)
    if before is not None and first.source.keys[before] not in context.context_keys:
        key = first.source.keys[before]
        kind = "negation" if is_negation(key) else "hedge" if key in HEDGES else "qualifier"
        found.meaning.append(f'drops the {kind} "{first.source.words[before]}" just before the quoted words')
        found.diff[:0] = [("-", word) for word in first.source.words[before : first.first]]
        found.start = first.source.starts[before]
    after = _word_after(last.source, last.last)
    if after is not None and last.source.keys[after] not in context.context_keys:
        kind = "hedge" if last.source.keys[after] in HEDGES else "qualifier"
        found.meaning.append(f'drops the {kind} "{last.source.words[after]}" just after the quoted words')
        found.diff.append(("-", last.source.words[after]))
        found.end = last.source.ends[after]
    if parsed.trailing_stop and not _followed_by_stop(last.source, last.last):
        found.cosmetic.append("ends with a full stop where the source sentence goes on")
    for letter in parsed.bracketed_letters:
        found.cosmetic.append(f"{letter} marks a changed letter")


def _word_before(source: _Source, first: int) -> int | None:
    """The hedge, qualifier or negation that governs the first quoted word from just before it, if any."""
    index = first - 1
    for _ in range(4):
        if index < 0:
            return None
        key = source.keys[index]
        if source.pause_after(index):
            # "Possibly, ..." and "Apparently, ...": a hedge that opens the sentence governs all of it.
            opens_sentence = index == 0 or source.stop_after(index - 1)
            gap = source.text[source.ends[index] : source.starts[index + 1]] if index + 1 < len(source.starts) else ""
            return index if key in HEDGES and opens_sentence and gap.strip() == "," else None
        if key in AUXILIARIES or key in INTENSIFIERS or key in EVIDENCE_WORDS:
            index -= 1
            continue
        if is_negation(key) or key in HEDGES:
            return index
        if _is_qualifier(key, source.keys[index + 1]) and key not in INTENSIFIERS:
            return index
        return None
    return None


def _word_after(source: _Source, last: int) -> int | None:
    """The hedge or qualifier right after the last quoted word that bears on it, if any.

    An adverb does ("... strength slightly", "... in women only"); so does any hedge that ends the
    clause ("... than previously suggested."). A hedge that opens what follows ("programmes | may
    increase") bears on the words after the quote, not on the quote.
    """
    index = last + 1
    if index >= len(source.keys) or source.pause_after(last):
        return None
    key = source.keys[index]
    if key not in HEDGES and key not in QUALIFIERS:
        return None
    if key.endswith("ly") or key == "only" or source.pause_after(index):
        return index
    return None


def _followed_by_stop(source: _Source, last: int) -> bool:
    """Whether the source ends a sentence after this word ("...kg/m2 ).", "...12.9°)." count)."""
    end = source.starts[last + 1] if last + 1 < len(source.starts) else source.ends[last] + 6
    return not _STOPS.isdisjoint(source.text[source.ends[last] : end])


def _tail_words(text: str, piece: _Piece, low: int, high: int, count: int = 6) -> str:
    first = max(low, high - count)
    prefix = "..." if first > low else ""
    return prefix + text[piece.starts[first] : piece.ends[high - 1]]


def _head_words(text: str, piece: _Piece, low: int, high: int, count: int = 6) -> str:
    last = min(high, low + count)
    suffix = "..." if last < high else ""
    return text[piece.starts[low] : piece.ends[last - 1]] + suffix


def _source_slice(source: _Source, first: int, last: int) -> str:
    return source.text[source.starts[first] : source.ends[last]]


def _quote_slice(text: str, piece: _Piece, indices: list[int], *, parentheses: bool) -> str:
    """The quote's text from the first to the last of these words, with its brackets (or parentheses)."""
    start, end = piece.starts[indices[0]], piece.ends[indices[-1]]
    while start > 0 and (text[start - 1] == "[" or (parentheses and text[start - 1] == "(")):
        start -= 1
    while end < len(text) and (text[end] == "]" or (parentheses and text[end] == ")")):
        end += 1
    return text[start:end]


# --- splices beyond the window ----------------------------------------------------------------


def _find_splice(parsed: _Quote, candidate: _Field, settings: CheckSettings, quote: str) -> QuoteMatch | None:
    """Cover the quote with verbatim runs of the source; runs from different places make a splice."""
    piece = parsed.pieces[0]
    source = _whole(candidate.searchable)
    runs = _cover(piece, source, _positions(candidate.searchable), settings.quote_splice_min_words)
    if runs is None or len(runs) < 2:
        return None
    joins: list[str] = []
    for (q1, s1, n1), (q2, s2, n2) in pairwise(runs):
        if s2 == s1 + n1:
            continue
        left = _tail_words(parsed.text, piece, q1, q1 + n1)
        right = _head_words(parsed.text, piece, q2, q2 + n2)
        if s2 > s1 + n1:
            distance = s2 - (s1 + n1)
            joins.append(f'joins "{left}" to "{right}", which is {distance} words further on in the source')
        else:
            joins.append(f'joins "{left}" to "{right}", which comes earlier in the source')
    if not joins:
        return None
    first = min(start for _, start, _ in runs)
    last = max(start + length - 1 for _, start, length in runs)
    start, end = source.starts[first], source.ends[last]
    return QuoteMatch(
        verdict=Verdict.SPLICED,
        score=1.0,
        field=candidate.name,
        section=_section_label(candidate.sections, start, end),
        start=start,
        end=end,
        source_text=source.text[start:end],
        diff=_splice_diff(runs, source),
        splices=tuple(joins),
        quote=quote,
    )


def _cover(
    piece: _Piece, source: _Source, positions: dict[str, list[int]], min_words: int
) -> list[tuple[int, int, int]] | None:
    """Runs (quote index, source index, length), longest first, covering every unbracketed quote word."""
    runs: list[tuple[int, int, int]] = []
    pending = [(0, len(piece.keys))]
    while pending:
        low, high = pending.pop()
        if low >= high:
            continue
        run = _longest_run(piece.keys, low, high, source.keys, positions)
        if run is None or run[2] < min_words:
            if not all(piece.groups[low:high]):
                return None
            continue
        runs.append(run)
        pending.append((low, run[0]))
        pending.append((run[0] + run[2], high))
    runs.sort()
    return runs


def _longest_run(
    keys: tuple[str, ...], low: int, high: int, source_keys: tuple[str, ...], positions: dict[str, list[int]]
) -> tuple[int, int, int] | None:
    """The longest run of quote words low..high found verbatim in the source: (quote index, source index, length)."""
    best: tuple[int, int, int] | None = None
    for i in range(low, high):
        for j in positions.get(keys[i], ()):
            if i > low and j > 0 and source_keys[j - 1] == keys[i - 1]:
                continue
            length = _run_length(keys, i, high, source_keys, j)
            if best is None or length > best[2]:
                best = (i, j, length)
    return best


def _run_length(keys: tuple[str, ...], i: int, high: int, source_keys: tuple[str, ...], j: int) -> int:
    """How many words from quote word ``i`` (before ``high``) equal the source's from word ``j``."""
    length = 1
    while i + length < high and j + length < len(source_keys) and source_keys[j + length] == keys[i + length]:
        length += 1
    return length


def _all_runs(
    keys: tuple[str, ...], source_keys: tuple[str, ...], positions: dict[str, list[int]], min_words: int
) -> list[tuple[int, int, int]]:
    """Every maximal run of at least ``min_words`` quote words found verbatim in the source."""
    runs: list[tuple[int, int, int]] = []
    for i, key in enumerate(keys):
        for j in positions.get(key, ()):
            if i > 0 and j > 0 and source_keys[j - 1] == keys[i - 1]:
                continue
            length = _run_length(keys, i, len(keys), source_keys, j)
            if length >= min_words:
                runs.append((i, j, length))
    return runs


def _best_chain(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The runs, in order in both quote and source, that cover the most quote words.

    A run that overlaps the one before it is shortened at its start ("...two experiments. In
    experiment" may run on into the next sentence that also begins "In experiment").
    """
    runs = sorted(runs, key=lambda run: (run[1], run[0]))
    covered: list[int] = []
    chains: list[list[tuple[int, int, int]]] = []
    for quote_index, source_index, length in runs:
        best_cover, best_chain = length, [(quote_index, source_index, length)]
        for earlier, chain in enumerate(chains):
            last_quote, last_source, last_length = chain[-1]
            overlap = max(0, last_quote + last_length - quote_index, last_source + last_length - source_index)
            if overlap >= length or last_source >= source_index or last_quote >= quote_index:
                continue
            if covered[earlier] + length - overlap >= best_cover:
                best_cover = covered[earlier] + length - overlap
                best_chain = [*chain, (quote_index + overlap, source_index + overlap, length - overlap)]
        covered.append(best_cover)
        chains.append(best_chain)
    if not runs:
        return []
    return chains[max(range(len(runs)), key=lambda each: covered[each])]


def _splice_diff(runs: list[tuple[int, int, int]], source: _Source) -> tuple[DiffOp, ...]:
    """The runs' words as "=", with the skipped source words as "-" when the runs are in source order."""
    in_order = all(s2 >= s1 + n1 for (_, s1, n1), (_, s2, _) in pairwise(runs))
    diff: list[DiffOp] = []
    previous_end: int | None = None
    for _, start, length in runs:
        if in_order and previous_end is not None:
            diff.extend(("-", word) for word in source.words[previous_end:start])
        diff.extend(("=", word) for word in source.words[start : start + length])
        previous_end = start + length
    return tuple(diff)
