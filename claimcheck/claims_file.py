"""Claims files: YAML in, ClaimsFile out, with every problem of every file reported as file:line.

A file in the simple YAML that claims files are written in is read by a small line-by-line reader;
anything else (and every file with a YAML mistake) is read by ruamel.yaml's round-trip loader, which
reports the mistake. Either way every value keeps its line. Nothing is checked and nothing is fetched
until every file loads cleanly: all problems are collected first and raised as one ClaimsFileError.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scanner import Scanner

from claimcheck.errors import ClaimsFileError, Problem
from claimcheck.model import Article, Claim, ClaimsFile, Quote, Reference, Stated

FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 20
"""A claims file nests four levels deep (claims, a claim, its quote list); more is hostile or a mistake."""
MAX_QUOTE_CHARS = 5_000
"""A quotation longer than this is not a quotation; the limit also bounds the alignment work."""
MAX_TEXT_CHARS = 20_000

CLAIMS_SUFFIXES = (".yaml", ".yml")
FORMAT_DOC = "docs/claims-format.md"

TOP_KEYS = ("claimcheck", "article", "references", "claims")
ARTICLE_KEYS = ("title", "url", "source")
REFERENCE_KEYS = ("citation", "pmid", "doi")
CLAIM_KEYS = ("id", "ref", "refs", "text", "quote", "stated", "accept")
STATED_KEYS = ("journal", "date", "institution", "country", "sample_size", "author", "design")

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
PMID_PATTERN = re.compile(r"[1-9][0-9]*")
DOI_PATTERN = re.compile(r"10\.[0-9]+(?:\.[0-9]+)*/\S+")
CODE_PATTERN = re.compile(r"[A-Z][0-9]{3}")
DATE_PATTERN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
DUPLICATE_KEY_PATTERN = re.compile(r'found duplicate key "(.*?)" with value')

YAML_CORE_TAG_PREFIX = "tag:yaml.org,2002:"
SHOWN_CHARS = 60


# --- public API ---------------------------------------------------------------------------------


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as reports show it: relative POSIX when under the current folder, else as given."""
    given = Path(path)
    try:
        return Path(os.path.abspath(given)).relative_to(os.getcwd()).as_posix()
    except ValueError:
        return given.as_posix()


def find_claims_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The claims files named by ``paths``: files as given, folders searched for *.yaml and *.yml."""
    files, problems = _find(paths)
    if problems:
        raise ClaimsFileError(problems)
    return files


def load_claims(path: str | os.PathLike[str]) -> ClaimsFile:
    """Read and validate one claims file; raise ClaimsFileError listing every problem in it."""
    claims_file, problems = _load(Path(path))
    if problems or claims_file is None:
        raise ClaimsFileError(problems)
    return claims_file


def load_claims_files(paths: Sequence[str | os.PathLike[str]]) -> list[ClaimsFile]:
    """Find and load every claims file under ``paths``; raise one ClaimsFileError for all problems."""
    files, problems = _find(paths)
    loaded: list[ClaimsFile] = []
    for file in files:
        claims_file, file_problems = _load(file)
        problems.extend(file_problems)
        if claims_file is not None:
            loaded.append(claims_file)
    if problems:
        raise ClaimsFileError(problems)
    return loaded


# --- finding files ------------------------------------------------------------------------------


def _find(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    found: list[Path] = []
    seen: set[Path] = set()
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _claims_files_in(path)
            if not files:
                problems.append(
                    Problem(
                        display_path(path),
                        1,
                        "no claims files (*.yaml or *.yml) in this folder",
                        f"check the path, or add a claims file as {FORMAT_DOC} describes",
                    )
                )
        elif path.exists():
            files = [path]
        else:
            problems.append(Problem(display_path(path), 1, "no such file or folder", "check the path"))
            continue
        for file in files:
            identity = file.resolve()
            if identity not in seen:
                seen.add(identity)
                found.append(file)
    return found, problems


def _claims_files_in(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, folders, names in os.walk(folder):
        # Hidden folders hold caches and tool state, never claims.
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if name.endswith(CLAIMS_SUFFIXES) and not name.startswith("."):
                files.append(Path(root, name))
    return sorted(files, key=lambda file: file.as_posix())


# --- reading and parsing ------------------------------------------------------------------------


def _load(path: Path) -> tuple[ClaimsFile | None, list[Problem]]:
    shown = display_path(path)
    text, problem = _read_text(path, shown)
    if problem is not None:
        return None, [problem]
    document, problems = _parse_yaml(text, shown)
    if problems:
        return None, problems
    validator = _Validator(shown)
    claims_file = validator.claims_file(document)
    if validator.problems:
        return None, validator.problems
    return claims_file, []


def _read_text(path: Path, shown: str) -> tuple[str, Problem | None]:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        return "", Problem(shown, 1, "this is a folder, not a claims file", "name a .yaml file or a folder")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return "", Problem(shown, 1, f"cannot read the file: {reason}", "check that it exists and that you may read it")
    if len(data) > MAX_FILE_BYTES:
        return "", Problem(
            shown,
            1,
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            "split it into several claims files; a claims file holds claims, not data",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return "", Problem(
            shown,
            line,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
            "save the file as UTF-8",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


class _Constructor(RoundTripConstructor):
    """The round-trip constructor, but timestamps stay the text written.

    So ``date: 2021-11-05`` reads as "2021-11-05", and ``date: 2021-02-30`` becomes a Problem with
    its line instead of the ValueError that ruamel.yaml raises while building the date.
    """


def _timestamp_as_text(constructor: RoundTripConstructor, node: ScalarNode) -> str:
    return str(constructor.construct_scalar(node))


# add_constructor copies the table into the subclass, so other ruamel.yaml users are not affected.
_Constructor.add_constructor(YAML_CORE_TAG_PREFIX + "timestamp", _timestamp_as_text)


def _new_yaml(comments: bool = True) -> YAML:
    yaml = YAML()
    yaml.Constructor = _Constructor
    if not comments:
        yaml.Scanner, yaml.Parser = Scanner, Parser
    return yaml


class _Mapping(dict[Any, Any]):
    """A YAML mapping as read: its entries in order, its line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}


class _Sequence(list[Any]):
    """A YAML list as read: its items in order, its line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def _parse_yaml(text: str, shown: str) -> tuple[Any, list[Problem]]:
    document = _read_simple(text)
    if document is not None:
        return document, []
    return _parse_full(text, shown)


def _parse_full(text: str, shown: str, comments: bool = True) -> tuple[Any, list[Problem]]:
    try:
        problems = _scan_events(text, shown, comments)
        if problems:
            return None, problems
        return _from_round_trip(_new_yaml(comments).load(text)), []
    except NotImplementedError as error:
        if comments:
            # ruamel.yaml's round-trip scanner gives up on some layouts of comments; reading needs none.
            return _parse_full(text, shown, comments=False)
        return None, [Problem(shown, 1, f"the YAML cannot be read: {_shorten(str(error))}", f"see {FORMAT_DOC}")]
    except DuplicateKeyError as error:
        return None, [_duplicate_key_problem(error, shown)]
    except MarkedYAMLError as error:
        return None, [_syntax_problem(error, shown)]
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        return None, [
            Problem(
                shown,
                line,
                f"the file holds a control character (#x{error.character:04x}) that YAML does not allow",
                "remove it; claims files hold printable text",
            )
        ]
    except YAMLError as error:
        return None, [Problem(shown, 1, f"not valid YAML: {_shorten(str(error))}", f"see {FORMAT_DOC}")]
    except RecursionError:
        return None, [_depth_problem(shown, 1)]
    except (TypeError, ValueError) as error:
        # A construction failure the scan did not foresee: still a problem to report, not a crash.
        return None, [Problem(shown, 1, f"the YAML cannot be read: {_shorten(str(error))}", f"see {FORMAT_DOC}")]


@dataclass
class _OpenCollection:
    """A list or mapping the event scan is inside, and how many nodes it has held so far."""

    is_mapping: bool
    nodes: int = 0


def _scan_events(text: str, shown: str, comments: bool = True) -> list[Problem]:
    """Refuse tags, aliases, merge keys, list or mapping keys and deep nesting before construction."""
    problems: list[Problem] = []
    open_collections: list[_OpenCollection] = []
    for event in _new_yaml(comments).parse(text):
        if isinstance(event, CollectionEndEvent):
            open_collections.pop()
            _count_node(open_collections)
            continue
        if not isinstance(event, NodeEvent):
            continue
        line = event.start_mark.line + 1
        inside = open_collections[-1] if open_collections else None
        is_key = inside is not None and inside.is_mapping and inside.nodes % 2 == 0
        problem = _node_problem(event, is_key, shown, line)
        if problem is not None:
            problems.append(problem)
        if isinstance(event, CollectionStartEvent):
            open_collections.append(_OpenCollection(is_mapping=isinstance(event, MappingStartEvent)))
            if len(open_collections) > MAX_DEPTH:
                return [_depth_problem(shown, line)]
        else:
            _count_node(open_collections)
    return problems


def _count_node(open_collections: list[_OpenCollection]) -> None:
    if open_collections:
        open_collections[-1].nodes += 1


def _node_problem(event: NodeEvent, is_key: bool, shown: str, line: int) -> Problem | None:
    if isinstance(event, AliasEvent):
        alias = _shorten(str(event.anchor))
        return Problem(shown, line, f"YAML aliases (*{alias}) are not allowed", "write the value out in full")
    tag = getattr(event, "tag", None)
    if tag is not None:
        return Problem(
            shown,
            line,
            f"YAML tags ({_shorten(_written_tag(str(tag)))}) are not allowed",
            'remove the tag; write plain text, numbers, lists and mappings, quoting text like "2"',
        )
    if is_key and isinstance(event, CollectionStartEvent):
        # ruamel.yaml cannot even build a mapping keyed by a mapping: it raises TypeError.
        hint = "keys are words such as id or text, or reference labels"
        return Problem(shown, line, "a list or mapping cannot be a key", hint)
    if is_key and isinstance(event, ScalarEvent) and event.value == "<<" and event.style is None:
        return Problem(shown, line, "YAML merge keys (<<) are not allowed", "write the keys out in full")
    return None


def _written_tag(tag: str) -> str:
    if tag.startswith(YAML_CORE_TAG_PREFIX):
        return "!!" + tag[len(YAML_CORE_TAG_PREFIX) :]
    return tag


def _depth_problem(shown: str, line: int) -> Problem:
    return Problem(
        shown,
        line,
        f"the YAML nests more than {MAX_DEPTH} levels deep",
        "a claims file needs four levels: claims, a claim, and its quote list, stated or accept",
    )


def _duplicate_key_problem(error: DuplicateKeyError, shown: str) -> Problem:
    line = error.problem_mark.line + 1 if error.problem_mark is not None else 1
    match = DUPLICATE_KEY_PATTERN.search(str(error.problem))
    key = f" '{_shorten(match.group(1))}'" if match else ""
    return Problem(
        shown,
        line,
        f"the key{key} appears twice in the same mapping",
        "keep one of them; YAML would silently drop the other",
    )


def _syntax_problem(error: MarkedYAMLError, shown: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = str(error.problem or error.context or "unreadable YAML")
    context = error.context_mark
    if error.context and error.problem and context is not None and context.line + 1 != line:
        # An unclosed quote or bracket fails far from where it starts; say where that is.
        problem = f"{error.context} at line {context.line + 1}, {problem}"
    if "\\t" in problem:
        hint = "indent with spaces; YAML does not allow tabs"
    elif "mapping values are not allowed" in problem:
        hint = "put text that holds ': ' in quotation marks, or write it on the next lines after '>-'"
    elif "another document" in problem:
        hint = "a claims file holds one YAML document; remove the extra '---'"
    else:
        hint = "check the indentation, colons and quotation marks on this line and the one before"
    return Problem(shown, line, f"not valid YAML: {problem}", hint)


def _from_round_trip(value: Any) -> Any:
    """The round-trip loader's document as _Mapping and _Sequence, with the lines it recorded."""
    if isinstance(value, CommentedMap):
        mapping = _Mapping(_node_line(value))
        for key, item in value.items():
            mapping[key] = _from_round_trip(item)
            mapping.key_lines[key] = _round_trip_key_line(value, key)
        return mapping
    if isinstance(value, CommentedSeq):
        sequence = _Sequence(_node_line(value))
        for index, item in enumerate(value):
            sequence.append(_from_round_trip(item))
            sequence.item_lines.append(_round_trip_item_line(value, index))
        return sequence
    return value


def _round_trip_key_line(mapping: CommentedMap, key: object) -> int:
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (KeyError, TypeError, AttributeError):
        return _node_line(mapping)


def _round_trip_item_line(sequence: CommentedSeq, index: int) -> int:
    try:
        return int(sequence.lc.item(index)[0]) + 1
    except (KeyError, TypeError, AttributeError):
        return _node_line(sequence)


def _node_line(node: object) -> int:
    line = getattr(getattr(node, "lc", None), "line", None)
    return line + 1 if isinstance(line, int) else 1


# --- the simple reader --------------------------------------------------------------------------
#
# ruamel.yaml's pure-Python scanner costs about half a millisecond per claim. Claims files are
# written in a small part of YAML: block mappings and lists, scalars on one line, ``>-`` blocks and
# one-line ``[...]`` lists. The simple reader reads that part line by line; at the first thing
# outside it (a tag, an alias, a flow mapping, text over several plain lines, a duplicate key, a
# syntax error...) it gives up and the full reader reads the file, so what is read and every
# problem reported stay exactly the full reader's.


class _NotSimple(Exception):
    """The text leaves the simple part of YAML; the full reader must read it."""


# Tabs, carriage returns, control characters and the characters ruamel.yaml takes as line breaks.
_OUTSIDE_SIMPLE_TEXT = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"""(?:([A-Za-z0-9_][A-Za-z0-9_-]{0,99})|"([^"\\]{0,100})"|'([^']{0,100})'):(?: +|$)""")
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_FLOW_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_BLOCK_HEADER = re.compile(r"([>|])(-?)(?: +#.*)? *")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,17}")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVER = VersionedResolver()
_IMPLICIT_RESOLVERS = _RESOLVER.versioned_resolver
"""YAML 1.2's implicit tags (numbers, dates, true/false, empty) by the first character they apply to."""
_TEXT_TAGS = frozenset({YAML_CORE_TAG_PREFIX + "str", YAML_CORE_TAG_PREFIX + "timestamp"})


def _read_simple(text: str) -> _Mapping | None:
    """The document, when the text keeps to the simple part of YAML; None when it does not."""
    # YAML reads a Windows line end as one line break, the same as "\n".
    text = text.replace("\r\n", "\n")
    if _OUTSIDE_SIMPLE_TEXT.search(text):
        return None
    try:
        return _SimpleReader(text).document()
    except _NotSimple:
        return None


def _is_entry(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _plain_value(text: str) -> Any:
    """A plain scalar as the round-trip loader builds it: text, a whole number, true/false or empty."""
    if text and text[0] not in _IMPLICIT_RESOLVERS and None not in _IMPLICIT_RESOLVERS:
        return text
    # The only implicit values that start with a letter (true, false, null; YAML 1.1's yes, no, on, off)
    # have five letters at most: longer words are text, and the resolver's regexes need not see them.
    if len(text) > 5 and text[0].isascii() and text[0].isalpha():
        return text
    tag = str(_RESOLVER.resolve(ScalarNode, text, (True, False)))
    if tag in _TEXT_TAGS:
        return text
    if tag == YAML_CORE_TAG_PREFIX + "null":
        return None
    if tag == YAML_CORE_TAG_PREFIX + "bool":
        return text.lower() == "true"
    if tag == YAML_CORE_TAG_PREFIX + "int" and _DECIMAL.fullmatch(text):
        return int(text)
    # Octal, hex, underscores, floats, huge numbers and the rest: the full reader knows how it builds them.
    raise _NotSimple


def _unescaped(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2) or match.group(3)
    if code is not None:
        number = int(code, 16)
        if number > 0x10FFFF:
            raise _NotSimple
        return chr(number)
    replacement = Scanner.ESCAPE_REPLACEMENTS.get(match.group(4))
    if replacement is None:
        raise _NotSimple
    return str(replacement)


class _SimpleReader:
    """Reads the simple part of YAML line by line; raises _NotSimple at anything beyond it."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.index = 0
        # Where the unread part of the current line starts: after "- " in "- id: x".
        self.column = 0

    def document(self) -> _Mapping:
        """The top-level mapping; the whole text must be it."""
        upcoming = self.peek()
        if upcoming is not None and upcoming[1] == "---":
            self.next_line()
            upcoming = self.peek()
        if upcoming is None or upcoming[0] != 0:
            raise _NotSimple
        document = self.mapping(0, 1)
        if self.peek() is not None:
            raise _NotSimple
        return document

    def peek(self) -> tuple[int, str] | None:
        """The column and text of the next line that holds more than blanks or a comment."""
        while self.index < len(self.lines):
            line = self.lines[self.index]
            text = line[self.column :].lstrip(" ")
            if text and not text.startswith("#"):
                return len(line) - len(text), text
            self.next_line()
        return None

    def next_line(self) -> None:
        """Move to the start of the next line."""
        self.index += 1
        self.column = 0

    def mapping(self, indent: int, depth: int) -> _Mapping:
        """A block mapping whose keys start at column ``indent``."""
        if depth > MAX_DEPTH:
            raise _NotSimple
        mapping = _Mapping(self.index + 1)
        while True:
            upcoming = self.peek()
            if upcoming is None or upcoming[0] < indent or _is_entry(upcoming[1]):
                return mapping
            column, text = upcoming
            match = _KEY.match(text)
            if column > indent or match is None:
                raise _NotSimple
            key = self.key(match)
            if key in mapping:
                raise _NotSimple
            mapping.key_lines[key] = self.index + 1
            mapping[key] = self.value(text[match.end() :], indent, depth)

    def key(self, match: re.Match[str]) -> Any:
        """A mapping key: text, or a whole number as in ``1: {...}``."""
        plain, double, single = match.groups()
        if plain is None:
            return double if double is not None else single
        key = _plain_value(plain)
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise _NotSimple
        return key

    def value(self, rest: str, indent: int, depth: int) -> Any:
        """The value of a key at column ``indent``, from ``rest`` of its line or the lines below."""
        if rest and not rest.startswith("#"):
            return self.scalar(rest, indent, depth)
        self.next_line()
        upcoming = self.peek()
        if upcoming is None:
            return None
        column, text = upcoming
        if column == indent and _is_entry(text):
            return self.sequence(indent, depth + 1)
        if column <= indent:
            return None
        if _is_entry(text):
            return self.sequence(column, depth + 1)
        return self.mapping(column, depth + 1)

    def sequence(self, indent: int, depth: int) -> _Sequence:
        """A block list whose dashes are at column ``indent``."""
        if depth > MAX_DEPTH:
            raise _NotSimple
        sequence = _Sequence(self.index + 1)
        while True:
            upcoming = self.peek()
            if upcoming is None or upcoming[0] < indent or not _is_entry(upcoming[1]):
                return sequence
            column, text = upcoming
            if column > indent:
                raise _NotSimple
            sequence.item_lines.append(self.index + 1)
            sequence.append(self.item(column, text[1:], depth))

    def item(self, column: int, after_dash: str, depth: int) -> Any:
        """One list item: ``- id: ...`` starts a mapping, anything else is a value on this line."""
        rest = after_dash.lstrip(" ")
        if not rest or rest.startswith("#") or _is_entry(rest):
            raise _NotSimple
        if _KEY.match(rest):
            self.column = column + 1 + len(after_dash) - len(rest)
            return self.mapping(self.column, depth + 1)
        return self.scalar(rest, column, depth)

    def scalar(self, text: str, indent: int, depth: int) -> Any:
        """A value that starts on the current line, in a collection at column ``indent``."""
        head = text[0]
        if head in ">|":
            return self.block_scalar(text, indent)
        if head == '"' or head == "'":
            value = self.quoted(text)
        elif head == "[":
            if depth + 1 > MAX_DEPTH:
                raise _NotSimple
            value = self.flow_sequence(text)
        elif head in _INDICATORS:
            raise _NotSimple
        else:
            value = self.plain(text)
        self.next_line()
        upcoming = self.peek()
        if upcoming is not None and upcoming[0] > indent:
            # A deeper line continues a plain scalar, or is a mistake: both are the full reader's.
            raise _NotSimple
        return value

    def plain(self, text: str) -> Any:
        """A plain scalar that ends on its line, before any comment."""
        comment = text.find(" #")
        if comment >= 0:
            text = text[:comment]
        text = text.rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _NotSimple
        return _plain_value(text)

    def quoted(self, text: str) -> str:
        """A quoted scalar that closes on its line, followed by nothing but a comment."""
        double = text[0] == '"'
        match = (_DOUBLE_QUOTED if double else _SINGLE_QUOTED).match(text)
        if match is None:
            raise _NotSimple
        self.expect_line_end(text[match.end() :])
        if not double:
            return match.group(1).replace("''", "'")
        return _ESCAPE.sub(_unescaped, match.group(1))

    def flow_sequence(self, text: str) -> _Sequence:
        """A ``[...]`` list on one line whose items are quoted scalars or single words."""
        sequence = _Sequence(self.index + 1)
        position = 1 + len(text[1:]) - len(text[1:].lstrip(" "))
        if text.startswith("]", position):
            self.expect_line_end(text[position + 1 :])
            return sequence
        while True:
            head = text[position : position + 1]
            if head == '"' or head == "'":
                match = (_DOUBLE_QUOTED if head == '"' else _SINGLE_QUOTED).match(text, position)
            else:
                match = _FLOW_WORD.match(text, position)
            if match is None:
                raise _NotSimple
            value = match.group(0)
            if head == '"':
                value = _ESCAPE.sub(_unescaped, match.group(1))
            elif head == "'":
                value = match.group(1).replace("''", "'")
            else:
                value = _plain_value(value)
            sequence.item_lines.append(self.index + 1)
            sequence.append(value)
            rest = text[match.end() :].lstrip(" ")
            if rest.startswith("]"):
                self.expect_line_end(rest[1:])
                return sequence
            if not rest.startswith(","):
                raise _NotSimple
            after_comma = rest[1:].lstrip(" ")
            position = len(text) - len(after_comma)
            if after_comma.startswith("]"):
                raise _NotSimple

    def expect_line_end(self, rest: str) -> None:
        """After a closed scalar or list only blanks and a comment may follow on the line."""
        if rest.strip(" ") and not (rest.startswith(" ") and rest.lstrip(" ").startswith("#")):
            raise _NotSimple

    def block_scalar(self, header: str, indent: int) -> str:
        """A ``>`` or ``|`` block (optionally with ``-``), its lines more indented than ``indent``."""
        match = _BLOCK_HEADER.fullmatch(header)
        if match is None:
            raise _NotSimple
        folded, strip = match.group(1) == ">", match.group(2) == "-"
        start = self.index + 1
        lines = self.lines
        if start >= len(lines) or not lines[start].strip(" "):
            raise _NotSimple
        content_indent = len(lines[start]) - len(lines[start].lstrip(" "))
        if content_indent <= indent:
            raise _NotSimple
        body: list[str] = []
        last = start
        index = start
        while index < len(lines):
            line = lines[index]
            if not line.strip(" "):
                if len(line) > content_indent:
                    raise _NotSimple
                body.append("")
            elif len(line) - len(line.lstrip(" ")) < content_indent:
                break
            else:
                body.append(line[content_indent:])
                last = index
            index += 1
        self.index, self.column = index, 0
        content = body[: last - start + 1]
        if folded and any(line.startswith(" ") for line in content):
            raise _NotSimple
        value = _folded(content) if folded else "\n".join(content)
        if not strip and last + 1 < len(lines):
            value += "\n"
        return value


def _folded(lines: list[str]) -> str:
    """Folded block text: a single line break becomes a space, each blank line a line break."""
    parts = [lines[0]]
    blanks = 0
    for line in lines[1:]:
        if not line:
            blanks += 1
            continue
        parts.append("\n" * blanks if blanks else " ")
        parts.append(line)
        blanks = 0
    return "".join(parts)


# --- validation ---------------------------------------------------------------------------------


def _kind(value: object) -> str:
    """How a message names the type of a YAML value."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _shorten(text: str) -> str:
    """Echo user text in a message without letting a huge value flood the terminal."""
    flat = " ".join(text.split())
    if len(flat) <= SHOWN_CHARS:
        return flat
    return flat[: SHOWN_CHARS - 3] + "..."


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _label(value: object) -> str | None:
    """A reference label or id as text: YAML reads ``2`` as a number, the article means "2"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return str(value).strip()
    return None


def _key_line(mapping: _Mapping, key: object) -> int:
    return mapping.key_lines.get(key, mapping.line)


def _item_line(sequence: _Sequence, index: int) -> int:
    return sequence.item_lines[index]


class _Validator:
    """Walks one loaded document, building the model and collecting every problem it meets."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str, hint: str = "") -> None:
        """Record one problem at ``line``."""
        self.problems.append(Problem(self.shown, line, message, hint))

    # --- the whole file

    def claims_file(self, document: Any) -> ClaimsFile | None:
        """The ClaimsFile this document describes, or None when its shape is beyond repair."""
        if document is None:
            self.problem(1, "the file is empty", f"start from the example in {FORMAT_DOC}")
            return None
        if not isinstance(document, _Mapping):
            self.problem(
                1,
                f"the file must be a mapping with the keys claimcheck, references and claims, not {_kind(document)}",
                f"start from the example in {FORMAT_DOC}",
            )
            return None
        self.unknown_keys(document, TOP_KEYS, "at the top level")
        version = self.version(document)
        article = self.article(document)
        references = self.references(document)
        claims = self.claims(document, references)
        return ClaimsFile(
            path=self.shown,
            version=version,
            article=article,
            references=tuple(references.values()) if references is not None else (),
            claims=claims,
        )

    def unknown_keys(self, mapping: _Mapping, allowed: Sequence[str], where: str) -> None:
        """Report every key of ``mapping`` that the format does not define, with a did-you-mean."""
        for key in mapping:
            if isinstance(key, str) and key in allowed:
                continue
            shown_key = _shorten(str(key))
            close = difflib.get_close_matches(shown_key, allowed, n=1, cutoff=0.6)
            if close:
                hint = f"did you mean '{close[0]}'?"
            else:
                hint = "the keys allowed here are: " + ", ".join(sorted(allowed))
            self.problem(_key_line(mapping, key), f"unknown key '{shown_key}' {where}", hint)

    def version(self, document: _Mapping) -> int:
        """The format version, which must be 1."""
        if "claimcheck" not in document:
            self.problem(
                1,
                "missing required key 'claimcheck' (the format version)",
                f"add 'claimcheck: {FORMAT_VERSION}' at the top of the file",
            )
            return FORMAT_VERSION
        value = document["claimcheck"]
        line = _key_line(document, "claimcheck")
        if not _is_integer(value):
            self.problem(
                line,
                f"'claimcheck' must be the format version {FORMAT_VERSION}, not {_kind(value)}",
                f"write 'claimcheck: {FORMAT_VERSION}'",
            )
            return FORMAT_VERSION
        if value != FORMAT_VERSION:
            self.problem(
                line,
                f"unsupported claims format version {int(value)}",
                f"this claimcheck reads format {FORMAT_VERSION}; write the file in format {FORMAT_VERSION} "
                "or upgrade claimcheck",
            )
        return int(value)

    # --- article

    def article(self, document: _Mapping) -> Article:
        """The optional ``article:`` header."""
        if "article" not in document:
            return Article()
        value = document["article"]
        if not isinstance(value, _Mapping):
            self.problem(
                _key_line(document, "article"),
                f"'article' must be a mapping (title, url, source), not {_kind(value)}",
                "give the article's title, url and source under it, or remove 'article'",
            )
            return Article()
        self.unknown_keys(value, ARTICLE_KEYS, "in 'article'")
        return Article(
            title=self.optional_text(value, "title", "of the article"),
            url=self.optional_text(value, "url", "of the article"),
            source=self.optional_text(value, "source", "of the article"),
        )

    def too_long(self, text: str, limit: int, line: int, what: str, remedy: str) -> bool:
        """Report text over ``limit`` characters; True when it was too long."""
        if len(text) <= limit:
            return False
        self.problem(line, f"{what} is {len(text):,} characters long; the most claimcheck checks is {limit:,}", remedy)
        return True

    def optional_text(self, mapping: _Mapping, key: str, owner: str) -> str | None:
        """The text under ``key``, or None when absent; a problem when it is empty or not text."""
        if key not in mapping:
            return None
        value = mapping[key]
        line = _key_line(mapping, key)
        if not isinstance(value, str):
            hint = f"write the {key} as text, or remove it"
            self.problem(line, f"'{key}' {owner} must be text, not {_kind(value)}", hint)
            return None
        text = str(value).strip()
        if not text:
            self.problem(line, f"'{key}' {owner} is empty", f"write the {key}, or remove it")
            return None
        if self.too_long(text, MAX_TEXT_CHARS, line, f"'{key}' {owner}", "shorten it to the sentence that makes the claim"):
            return None
        return text

    # --- references

    def references(self, document: _Mapping) -> dict[str, Reference] | None:
        """The references by label, or None when the section is missing or not a mapping."""
        if "references" not in document:
            self.problem(
                1,
                "missing required key 'references'",
                "list the article's references under their own labels, e.g. references: {\"1\": {citation: ...}}",
            )
            return None
        value = document["references"]
        if not isinstance(value, _Mapping):
            self.problem(
                _key_line(document, "references"),
                f"'references' must be a mapping from the article's labels to references, not {_kind(value)}",
                'write each reference as  "1": {citation: ..., pmid: ...}',
            )
            return None
        references: dict[str, Reference] = {}
        for raw_key, entry in value.items():
            line = _key_line(value, raw_key)
            key = _label(raw_key)
            if not key:
                self.problem(
                    line,
                    f"reference label '{_shorten(str(raw_key))}' must be text or a number",
                    "use the label the article prints, e.g. \"1\"",
                )
                continue
            if key in references:
                self.problem(
                    line,
                    f"reference '{_shorten(key)}' is given twice (first at line {references[key].line})",
                    "keep one; note that 2 and \"2\" are the same label",
                )
                continue
            references[key] = self.reference(key, entry, line)
        return references

    def reference(self, key: str, entry: Any, line: int) -> Reference:
        """One reference: its citation, PMID and DOI."""
        owner = f"of reference '{_shorten(key)}'"
        if entry is None or (isinstance(entry, _Mapping) and not entry):
            self.problem(
                line,
                f"reference '{_shorten(key)}' has no citation, pmid or doi",
                "give at least its citation as the article prints it",
            )
            return Reference(key=key, line=line)
        if not isinstance(entry, _Mapping):
            self.problem(
                line,
                f"reference '{_shorten(key)}' must be a mapping (citation, pmid, doi), not {_kind(entry)}",
                f'write it as  "{_shorten(key)}": {{citation: ..., pmid: ...}}',
            )
            return Reference(key=key, line=line)
        self.unknown_keys(entry, REFERENCE_KEYS, f"in reference '{_shorten(key)}'")
        return Reference(
            key=key,
            line=line,
            citation=self.optional_text(entry, "citation", owner),
            pmid=self.pmid(entry, owner),
            doi=self.doi(entry, owner),
        )

    def pmid(self, entry: _Mapping, owner: str) -> str | None:
        """The PMID as digits, accepting a YAML number."""
        if "pmid" not in entry:
            return None
        value = entry["pmid"]
        line = _key_line(entry, "pmid")
        text = _label(value)
        if text is None:
            hint = 'write it as digits, e.g. pmid: "34943166"'
            self.problem(line, f"'pmid' {owner} must be text or a number, not {_kind(value)}", hint)
            return None
        if text.isascii() and text.isdigit() and text.startswith("0"):
            self.problem(line, f"pmid '{text}' {owner} starts with 0, which no PMID does", "write it without the leading zeros")
            return None
        if not PMID_PATTERN.fullmatch(text):
            self.problem(
                line,
                f"pmid '{_shorten(text)}' {owner} is not a PMID (digits only)",
                'write the number alone, e.g. pmid: "34943166", or remove pmid and run claimcheck resolve',
            )
            return None
        return text

    def doi(self, entry: _Mapping, owner: str) -> str | None:
        """The DOI, which must be the bare 10.xxxx/... form."""
        text = self.optional_text(entry, "doi", owner)
        if text is None:
            return None
        if not DOI_PATTERN.fullmatch(text):
            self.problem(
                _key_line(entry, "doi"),
                f"doi '{_shorten(text)}' {owner} is not a DOI",
                "give the DOI alone, starting with 10., e.g. doi: 10.3390/biology10121251",
            )
            return None
        return text

    # --- claims

    def claims(self, document: _Mapping, references: dict[str, Reference] | None) -> tuple[Claim, ...]:
        """Every claim of the file; ids must be unique and refs must name known references."""
        if "claims" not in document:
            self.problem(1, "missing required key 'claims'", "list the article's claims under 'claims:'")
            return ()
        value = document["claims"]
        if not isinstance(value, _Sequence):
            self.problem(
                _key_line(document, "claims"),
                f"'claims' must be a list of claims, not {_kind(value)}",
                "write each claim as a list item starting with '- id: ...'",
            )
            return ()
        claims: list[Claim] = []
        first_lines: dict[str, int] = {}
        for index, item in enumerate(value):
            line = _item_line(value, index)
            claim = self.claim(item, line, index + 1, references)
            if claim is None:
                continue
            if claim.id in first_lines:
                self.problem(
                    line,
                    f"claim id '{claim.id}' is used twice (first at line {first_lines[claim.id]})",
                    "give each claim its own id",
                )
                continue
            first_lines[claim.id] = line
            claims.append(claim)
        return tuple(claims)

    def claim(self, item: Any, line: int, number: int, references: dict[str, Reference] | None) -> Claim | None:
        """One claim; None when it is not a mapping or has no usable id."""
        if not isinstance(item, _Mapping):
            self.problem(
                line,
                f"claim {number} must be a mapping with id, ref and text or quote, not {_kind(item)}",
                "write it as '- id: ...' followed by its keys, indented",
            )
            return None
        claim_id = self.claim_id(item, line, number)
        written_id = _label(item.get("id"))
        name = f"claim '{_shorten(written_id)}'" if written_id else f"claim {number}"
        owner = f"of {name}"
        self.unknown_keys(item, CLAIM_KEYS, f"in {name}")
        refs = self.claim_refs(item, line, name, references)
        text = self.optional_text(item, "text", owner)
        quotes = self.quotes(item, owner)
        if "text" not in item and "quote" not in item:
            self.problem(
                line,
                f"{name} has neither 'text' nor 'quote'",
                "give the article's words: 'text' for its own words, 'quote' for words it presents as the source's",
            )
        stated = self.stated(item, owner)
        accept = self.accept(item, owner)
        if claim_id is None:
            return None
        return Claim(
            id=claim_id,
            refs=refs,
            file=self.shown,
            line=line,
            text=text,
            quotes=quotes,
            stated=stated,
            accept=tuple((code, reason) for code, reason, _ in accept),
            accept_lines=tuple((code, code_line) for code, _, code_line in accept),
        )

    def claim_id(self, item: _Mapping, line: int, number: int) -> str | None:
        """The claim's id: required, lower-case letters, digits and hyphens."""
        if "id" not in item:
            self.problem(line, f"claim {number} has no 'id'", "give it a short unique id, e.g. id: bieler-2017-journal")
            return None
        value = item["id"]
        id_line = _key_line(item, "id")
        claim_id = _label(value)
        if claim_id is None:
            hint = "e.g. id: bieler-2017-journal"
            self.problem(id_line, f"the id of claim {number} must be text, not {_kind(value)}", hint)
            return None
        if not ID_PATTERN.fullmatch(claim_id):
            self.problem(
                id_line,
                f"claim id '{_shorten(claim_id)}' is not allowed",
                "use lower-case letters, digits and hyphens, starting with a letter or digit, e.g. bieler-2017-journal",
            )
            return None
        return claim_id

    def claim_refs(
        self, item: _Mapping, line: int, name: str, references: dict[str, Reference] | None
    ) -> tuple[str, ...]:
        """The labels of the references the claim cites, from ``ref`` or ``refs``."""
        owner = f"of {name}"
        if "ref" in item and "refs" in item:
            self.problem(
                _key_line(item, "refs"),
                f"{name} has both 'ref' and 'refs'",
                "use 'ref' for one reference or 'refs' for several, not both",
            )
            return ()
        if "ref" in item:
            labels = self.single_ref(item, owner)
        elif "refs" in item:
            labels = self.many_refs(item, owner)
        else:
            self.problem(
                line,
                f"{name} names no reference",
                "add ref: \"2\" with the article's label for the source (or refs: [\"2\", \"3\"])",
            )
            return ()
        if references is not None:
            for label, label_line in labels:
                self.known_reference(label, label_line, name, references)
        return tuple(label for label, _ in labels)

    def single_ref(self, item: _Mapping, owner: str) -> list[tuple[str, int]]:
        """``ref: "2"``: one label and its line."""
        value = item["ref"]
        line = _key_line(item, "ref")
        label = _label(value)
        if not label:
            hint = "for several references write refs: [\"2\", \"3\"]" if isinstance(value, list) else 'e.g. ref: "2"'
            self.problem(line, f"'ref' {owner} must be a reference label (text or a number), not {_kind(value)}", hint)
            return []
        return [(label, line)]

    def many_refs(self, item: _Mapping, owner: str) -> list[tuple[str, int]]:
        """``refs: ["2", "3"]``: several labels, each with its line."""
        value = item["refs"]
        line = _key_line(item, "refs")
        hint = 'e.g. refs: ["2", "3"]; for one reference write ref: "2"'
        if not isinstance(value, _Sequence):
            self.problem(line, f"'refs' {owner} must be a list of reference labels, not {_kind(value)}", hint)
            return []
        if not value:
            self.problem(line, f"'refs' {owner} is an empty list", hint)
            return []
        labels: list[tuple[str, int]] = []
        for index, entry in enumerate(value):
            entry_line = _item_line(value, index)
            label = _label(entry)
            if not label:
                self.problem(entry_line, f"'refs' {owner} holds {_kind(entry)}, not a reference label", hint)
                continue
            if label in (known for known, _ in labels):
                message = f"reference '{_shorten(label)}' is named twice in 'refs' {owner}"
                self.problem(entry_line, message, "name it once")
                continue
            labels.append((label, entry_line))
        return labels

    def known_reference(self, label: str, line: int, name: str, references: dict[str, Reference]) -> None:
        """A problem when ``label`` is not one of the file's references."""
        if label in references:
            return
        known = ", ".join(_shorten(key) for key in list(references)[:20]) or "none"
        self.problem(
            line,
            f"{name} cites reference '{_shorten(label)}', which is not in 'references'",
            f"add it under 'references', or use one of: {known}",
        )

    def quotes(self, item: _Mapping, owner: str) -> tuple[Quote, ...]:
        """The quote or quotes, each with the line of its own text."""
        if "quote" not in item:
            return ()
        value = item["quote"]
        line = _key_line(item, "quote")
        hint = "give the words the article puts in quotation marks, or remove 'quote'"
        if isinstance(value, str):
            text = str(value).strip()
            if not text:
                self.problem(line, f"the quote {owner} is empty", hint)
                return ()
            if self.too_long(text, MAX_QUOTE_CHARS, line, f"the quote {owner}", "split it into several quotes"):
                return ()
            return (Quote(text=text, line=line),)
        if not isinstance(value, _Sequence):
            self.problem(line, f"'quote' {owner} must be text or a list of texts, not {_kind(value)}", hint)
            return ()
        if not value:
            self.problem(line, f"'quote' {owner} is an empty list", hint)
            return ()
        quotes: list[Quote] = []
        for index, entry in enumerate(value):
            entry_line = _item_line(value, index)
            if not isinstance(entry, str):
                self.problem(entry_line, f"quote {index + 1} {owner} must be text, not {_kind(entry)}", hint)
                continue
            text = str(entry).strip()
            if not text:
                self.problem(entry_line, f"quote {index + 1} {owner} is empty", hint)
                continue
            if self.too_long(text, MAX_QUOTE_CHARS, entry_line, f"quote {index + 1} {owner}", "split it"):
                continue
            quotes.append(Quote(text=text, line=entry_line))
        return tuple(quotes)

    # --- stated and accept

    def stated(self, item: _Mapping, owner: str) -> Stated:
        """The facts the claim asserts beyond its text."""
        if "stated" not in item:
            return Stated()
        value = item["stated"]
        line = _key_line(item, "stated")
        if not isinstance(value, _Mapping):
            self.problem(
                line,
                f"'stated' {owner} must be a mapping of facts, not {_kind(value)}",
                "e.g. stated: {journal: Biology, date: 2021-11}",
            )
            return Stated(line=line)
        where = f"in 'stated' {owner}"
        self.unknown_keys(value, STATED_KEYS, where)
        return Stated(
            journal=self.optional_text(value, "journal", where),
            date=self.date(value, owner),
            institution=self.optional_text(value, "institution", where),
            country=self.optional_text(value, "country", where),
            sample_size=self.sample_size(value, owner),
            author=self.optional_text(value, "author", where),
            design=self.optional_text(value, "design", where),
            line=line,
        )

    def date(self, stated: _Mapping, owner: str) -> str | None:
        """A partial date: YYYY, YYYY-MM or YYYY-MM-DD, and a real one."""
        if "date" not in stated:
            return None
        value = stated["date"]
        line = _key_line(stated, "date")
        hint = "write YYYY, YYYY-MM or YYYY-MM-DD, e.g. date: 2021-11"
        text = _label(value)
        if text is None:
            self.problem(line, f"'date' in 'stated' {owner} must be text, not {_kind(value)}", hint)
            return None
        match = DATE_PATTERN.fullmatch(text)
        if match is None:
            self.problem(line, f"date '{_shorten(text)}' {owner} is not a date", hint)
            return None
        year, month, day = match.groups()
        try:
            datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            self.problem(line, f"date '{text}' {owner} is not a real calendar date", hint)
            return None
        return text

    def sample_size(self, stated: _Mapping, owner: str) -> int | None:
        """The number of participants: a positive whole number."""
        if "sample_size" not in stated:
            return None
        value = stated["sample_size"]
        if not _is_integer(value) or value < 1:
            shown = _shorten(str(value)) if isinstance(value, (str, int, float)) else _kind(value)
            self.problem(
                _key_line(stated, "sample_size"),
                f"sample_size '{shown}' {owner} is not a positive whole number",
                "give the number of participants the article states, e.g. sample_size: 41",
            )
            return None
        return int(value)

    def accept(self, item: _Mapping, owner: str) -> list[tuple[str, str, int]]:
        """The findings an editor accepts: (code, reason, line) for each entry."""
        if "accept" not in item:
            return []
        value = item["accept"]
        if not isinstance(value, _Mapping):
            self.problem(
                _key_line(item, "accept"),
                f"'accept' {owner} must be a mapping from finding codes to reasons, not {_kind(value)}",
                "e.g. accept: {M201: house style abbreviates journal names}",
            )
            return []
        entries: list[tuple[str, str, int]] = []
        for code, reason in value.items():
            line = _key_line(value, code)
            code_text = _shorten(str(code))
            if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
                self.problem(
                    line,
                    f"'{code_text}' in 'accept' {owner} is not a finding code",
                    "codes are a capital letter and three digits, e.g. M201; 'claimcheck rules' lists them",
                )
                continue
            hint = f"say why the editor accepts the finding, e.g. {code}: house style abbreviates journal names"
            if reason is not None and not isinstance(reason, str):
                self.problem(line, f"the reason for accepting {code} {owner} must be text, not {_kind(reason)}", hint)
                continue
            if reason is None or not reason.strip():
                self.problem(line, f"the reason for accepting {code} {owner} is empty", hint)
                continue
            entries.append((code, str(reason).strip(), line))
        return entries

