"""Configuration: ``[tool.claimcheck]`` in pyproject.toml or a claimcheck.toml, the environment, then flags.

Precedence, highest first: command line > environment > config file > default. One config file is
read, from the folder claimcheck runs in: claimcheck.toml when it exists (settings at its top level),
otherwise the ``[tool.claimcheck]`` table of pyproject.toml. The two are never merged. The NCBI API
key is a secret and comes only from the NCBI_API_KEY environment variable, never from a file.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimcheck import rules as rule_table
from claimcheck.errors import ConfigError
from claimcheck.model import CheckSettings, Finding, Rule, Severity
from claimcheck.pubmed import DEFAULT_EUTILS_URL
from claimcheck.store import default_cache_dir

PYPROJECT = "pyproject.toml"
CLAIMCHECK_TOML = "claimcheck.toml"
TABLE = "tool.claimcheck"

DEFAULT = "default"
ENVIRONMENT = "environment"
COMMAND_LINE = "command line"

FAIL_ON_CHOICES = ("error", "warning", "info", "never")
RULE_LEVELS = ("off", "info", "warning", "error")
API_KEY_VARIABLE = "NCBI_API_KEY"
API_KEY_SPELLINGS = frozenset({"api-key", "apikey", "ncbi-api-key", "ncbi-apikey"})

ENVIRONMENT_VARIABLES = (
    ("NCBI_EMAIL", "email"),
    ("CLAIMCHECK_CACHE_DIR", "cache-dir"),
    ("CLAIMCHECK_EUTILS_URL", "eutils-url"),
)
"""Environment variables that set a setting, and the setting each sets."""

RuleOverrides = Mapping[str, Severity | None]
"""Rule code or prefix (upper case) -> the severity findings get, None for "off"."""

_DEFAULT_SETTINGS = CheckSettings()
_KEY_PATTERN = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*=""")
_HEADER_PATTERN = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


class _BadValue(Exception):
    """A value of the wrong type or out of range; the caller adds where it was written."""

    def __init__(self, message: str, *, subkey: str = "") -> None:
        super().__init__(message)
        self.subkey = subkey


@dataclass(frozen=True)
class Config:
    """Every setting's effective value, and where each came from (``origins``)."""

    paths: tuple[str, ...] = ("claims",)
    fail_on: str = "error"
    email: str | None = None
    cache_dir: Path | None = None
    """None only in a Config built by hand: then the platform's cache folder is meant."""
    eutils_url: str = DEFAULT_EUTILS_URL
    quote_match_threshold: float = _DEFAULT_SETTINGS.quote_match_threshold
    quote_splice_min_words: int = _DEFAULT_SETTINGS.quote_splice_min_words
    timeout: float = 30.0
    max_tries: int = 5
    retry_wait: float = 1.0
    max_age: float | None = None
    """Days a cached record is trusted before it is fetched again; None: until it is deleted."""
    offline: bool = False
    ignore: tuple[str, ...] = ()
    rules: tuple[tuple[str, Severity | None], ...] = ()
    """(code or prefix, severity or None for off), in the order written."""
    api_key_set: bool = False
    """Whether NCBI_API_KEY is set; the key itself is never kept here."""
    config_file: str | None = None
    notes: tuple[str, ...] = ()
    origins: tuple[tuple[str, str], ...] = ()
    """(setting key as written in a file, e.g. "fail-on"; "default", "pyproject.toml", ...)."""

    @property
    def settings(self) -> CheckSettings:
        """The knobs the pure checks read."""
        return CheckSettings(
            quote_match_threshold=self.quote_match_threshold,
            quote_splice_min_words=self.quote_splice_min_words,
        )

    @property
    def rule_overrides(self) -> dict[str, Severity | None]:
        """The ``rules`` table as a mapping, for severity_for and apply_rule_overrides."""
        return dict(self.rules)

    def origin(self, key: str) -> str:
        """Where the setting ``key`` ("fail-on", "api-key", ...) came from."""
        return dict(self.origins).get(key, DEFAULT)

    def with_overrides(self, *, origin: str = COMMAND_LINE, **values: Any) -> Config:
        """A copy with the given settings (Python names: fail_on=...) replaced; None means "not given"."""
        changes: dict[str, Any] = {}
        problems: list[str] = []
        for name, value in values.items():
            setting = _SETTINGS_BY_ATTR.get(name)
            if setting is None:
                raise TypeError(f"with_overrides() got an unknown setting {name!r}")
            if value is None:
                continue
            if name == "ignore" and isinstance(value, str):
                value = [part.strip() for part in value.split(",") if part.strip()]
            try:
                changes[name] = setting.read(value, Path())
            except _BadValue as error:
                problems.append(f"{_place_of(setting, origin)} {error}")
        if problems:
            raise ConfigError("\n".join(problems))
        origins = dict(self.origins)
        for name in changes:
            origins[_SETTINGS_BY_ATTR[name].key] = origin
        return dataclasses.replace(self, **changes, origins=_ordered_origins(origins))


# --- loading ------------------------------------------------------------------------------------


def load_config(directory: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Config:
    """The configuration for a run in ``directory`` (default: the current folder): defaults, file, environment."""
    base = Path(directory) if directory is not None else Path()
    env = os.environ if environ is None else environ
    values, origins, config_file, notes = _from_files(base)
    platform_env = {name: value for name, value in env.items() if name != "CLAIMCHECK_CACHE_DIR"}
    values.setdefault("cache_dir", default_cache_dir(platform_env))
    api_key_set = bool(env.get(API_KEY_VARIABLE, "").strip())
    origins["api-key"] = ENVIRONMENT if api_key_set else DEFAULT
    config = Config(**values, api_key_set=api_key_set, config_file=config_file, notes=notes,
                    origins=_ordered_origins(origins))
    from_environment = {
        _SETTINGS_BY_KEY[key].attr: env.get(variable, "").strip() or None for variable, key in ENVIRONMENT_VARIABLES
    }
    return config.with_overrides(origin=ENVIRONMENT, **from_environment)


def _from_files(base: Path) -> tuple[dict[str, Any], dict[str, str], str | None, tuple[str, ...]]:
    """Values and origins from claimcheck.toml, else pyproject.toml; the file used; notes for `config`."""
    origins = {setting.key: DEFAULT for setting in SETTINGS}
    own = base / CLAIMCHECK_TOML
    if own.is_file():
        text, document = _read_toml(own)
        notes: tuple[str, ...] = ()
        if _pyproject_has_table(base / PYPROJECT):
            notes = (f"{PYPROJECT} also has [{TABLE}], which is ignored: {CLAIMCHECK_TOML} takes precedence",)
        values = _read_table(document, _Where(own, text, table=None))
        origins.update({_SETTINGS_BY_ATTR[name].key: CLAIMCHECK_TOML for name in values})
        return values, origins, _shown(own), notes
    pyproject = base / PYPROJECT
    if not pyproject.is_file():
        return {}, origins, None, ()
    text, document = _read_toml(pyproject)
    tool = document.get("tool")
    table = tool.get("claimcheck") if isinstance(tool, dict) else None
    if table is None:
        return {}, origins, None, ()
    where = _Where(pyproject, text, table=TABLE)
    if not isinstance(table, dict):
        raise ConfigError(f"{where.at('')}: [{TABLE}] must be a table of settings (write them under a [{TABLE}] line)")
    values = _read_table(table, where)
    origins.update({_SETTINGS_BY_ATTR[name].key: PYPROJECT for name in values})
    return values, origins, f"{_shown(pyproject)} [{TABLE}]", ()


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """The file's text and its TOML document; ConfigError saying where the TOML is wrong."""
    shown = _shown(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read the file: {error.strerror or type(error).__name__}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: the file is not UTF-8 text (save it as UTF-8)") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{shown}: not valid TOML: {error}") from None


def _pyproject_has_table(path: Path) -> bool:
    """Whether pyproject.toml holds [tool.claimcheck]; a broken pyproject.toml only loses the note."""
    if not path.is_file():
        return False
    try:
        _, document = _read_toml(path)
    except ConfigError:
        return False
    tool = document.get("tool")
    return isinstance(tool, dict) and "claimcheck" in tool


def _read_table(table: Mapping[str, Any], where: _Where) -> dict[str, Any]:
    """Validated values by Python name; every problem of the table in one ConfigError."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in table.items():
        setting = _SETTINGS_BY_KEY.get(key)
        if setting is None:
            problems.append(_unknown_key_problem(key, where))
            continue
        try:
            values[setting.attr] = setting.read(value, where.path.parent)
        except _BadValue as error:
            place = where.at(f"{key}.{error.subkey}" if error.subkey else key)
            problems.append(f"{place}: '{key}' {error}")
    if problems:
        raise ConfigError("\n".join(problems))
    return values


def _unknown_key_problem(key: str, where: _Where) -> str:
    """The message for a key no setting has: the API key refused, else a did-you-mean."""
    place = where.at(key)
    if key.lower().replace("_", "-") in API_KEY_SPELLINGS:
        return (
            f"{place}: '{key}' is not allowed in a config file: the NCBI API key is a secret and config "
            f"files get committed (remove it and set the {API_KEY_VARIABLE} environment variable; in CI, "
            "from a secret)"
        )
    if key == "tool" and where.table is None:
        return f"{place}: unknown key 'tool' ({CLAIMCHECK_TOML} holds the settings at its top level, without [{TABLE}])"
    spelled = key.replace("_", "-").lower()
    if spelled in _SETTINGS_BY_KEY:
        return f"{place}: unknown key '{key}' (did you mean '{spelled}'?)"
    close = difflib.get_close_matches(spelled, list(_SETTINGS_BY_KEY), n=1, cutoff=0.6)
    if close:
        return f"{place}: unknown key '{key}' (did you mean '{close[0]}'?)"
    return f"{place}: unknown key '{key}' (the settings are: {', '.join(_SETTINGS_BY_KEY)})"


@dataclass(frozen=True)
class _Where:
    """A config file and its table, to say ``file:line`` for a key."""

    path: Path
    text: str
    table: str | None

    def at(self, key: str) -> str:
        """``pyproject.toml:12`` for the line that sets ``key`` (dotted: ``rules.Q104``), else the file."""
        lines = _key_lines(self.text, self.table)
        for candidate in (key, key.split(".")[0], ""):
            if candidate in lines:
                return f"{_shown(self.path)}:{lines[candidate]}"
        return _shown(self.path)


def _key_lines(text: str, table: str | None) -> dict[str, int]:
    """The first line of each key of ``table`` (None: the top level) and of its ``rules`` sub-table.

    tomllib keeps no positions, so this reads lines: good enough to point at the key, not a parser.
    """
    lines: dict[str, int] = {}
    current: str | None = None
    prefix = f"{table}." if table else ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_PATTERN.match(line)
        if header is not None:
            current = header.group(1).replace(" ", "").strip('"')
            if current == table:
                lines.setdefault("", number)
            elif current == f"{prefix}rules":
                lines.setdefault("rules", number)
            continue
        match = _KEY_PATTERN.match(line)
        if match is None:
            continue
        key = next(group for group in match.groups() if group is not None)
        if current == table:
            lines.setdefault(key, number)
            lines.setdefault(key.split(".")[0], number)
        elif current == f"{prefix}rules":
            lines.setdefault(f"rules.{key}", number)
    return lines


def _shown(path: Path) -> str:
    """The path as messages show it: relative to the current folder when under it."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.getcwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _place_of(setting: _Setting, origin: str) -> str:
    """Where a value that did not come from a file was given."""
    if origin == ENVIRONMENT:
        for variable, key in ENVIRONMENT_VARIABLES:
            if key == setting.key:
                return f"environment variable {variable}"
    if origin == COMMAND_LINE:
        return f"--{setting.key}"
    return f"{origin}: '{setting.key}'"


def _ordered_origins(origins: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Origins in the order of the settings table, the API key last."""
    keys = [setting.key for setting in SETTINGS] + ["api-key"]
    return tuple((key, origins[key]) for key in keys if key in origins)


# --- reading one value --------------------------------------------------------------------------


def _kind(value: object) -> str:
    """How a message names the TOML type of a value."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {_echo(value)}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _echo(text: str) -> str:
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= 60 else flat[:57] + "...")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value: object, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        shown = "empty text" if isinstance(value, str) else _kind(value)
        raise _BadValue(f"must be text, not {shown} (e.g. {example})")
    return value.strip()


def _text_list(value: object, example: str) -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise _BadValue(f"must be a list of text, not {_kind(value)} (e.g. {example})")
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            shown = "empty text" if isinstance(item, str) else _kind(item)
            raise _BadValue(f"must be a list of text, but holds {shown} (e.g. {example})")
        items.append(item.strip())
    return items


def _read_paths(value: object, base: Path) -> tuple[str, ...]:
    paths = _text_list(value, 'paths = ["claims"]')
    if not paths:
        raise _BadValue('is an empty list (e.g. paths = ["claims"], or remove it for the default)')
    return tuple(str(base / path) for path in paths)


def _read_fail_on(value: object, base: Path) -> str:
    text = _text(value, 'fail-on = "warning"').lower()
    if text not in FAIL_ON_CHOICES:
        raise _BadValue(f"must be one of {', '.join(FAIL_ON_CHOICES)}, not {_echo(text)}")
    return text


def _read_email(value: object, base: Path) -> str:
    text = _text(value, 'email = "editor@example.org"')
    if "@" not in text or any(char.isspace() for char in text):
        raise _BadValue(f"is {_echo(text)}, not an email address (e.g. email = \"editor@example.org\")")
    return text


def _read_cache_dir(value: object, base: Path) -> Path:
    if isinstance(value, Path):
        return value.expanduser()
    return base / Path(_text(value, 'cache-dir = ".claimcheck-cache"')).expanduser()


def _read_url(value: object, base: Path) -> str:
    text = _text(value, f'eutils-url = "{DEFAULT_EUTILS_URL}"')
    if not re.match(r"https?://[^/\s]+", text) or any(char.isspace() for char in text):
        raise _BadValue(f"is {_echo(text)}, not an http(s) URL (e.g. {DEFAULT_EUTILS_URL})")
    return text


def _read_fraction(value: object, base: Path) -> float:
    if not _is_number(value) or not 0 <= value <= 1:  # type: ignore[operator]
        raise _BadValue(f"must be a number from 0 to 1, not {_kind(value)} (e.g. quote-match-threshold = 0.8)")
    return float(value)  # type: ignore[arg-type]


def _whole_number(minimum: int, example: str) -> Callable[[object, Path], int]:
    def read(value: object, base: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _BadValue(f"must be a whole number of at least {minimum}, not {_kind(value)} (e.g. {example})")
        return value

    return read


def _positive_number(example: str) -> Callable[[object, Path], float]:
    def read(value: object, base: Path) -> float:
        if not _is_number(value) or value <= 0:  # type: ignore[operator]
            raise _BadValue(f"must be a number greater than 0, not {_kind(value)} (e.g. {example})")
        return float(value)  # type: ignore[arg-type]

    return read


def _read_bool(value: object, base: Path) -> bool:
    if not isinstance(value, bool):
        raise _BadValue(f"must be true or false, not {_kind(value)} (e.g. offline = true)")
    return value


def _read_ignore(value: object, base: Path) -> tuple[str, ...]:
    prefixes = _text_list(value, 'ignore = ["Q104", "M20"]')
    return tuple(_rule_prefix(prefix) for prefix in prefixes)


def _read_rules(value: object, base: Path) -> tuple[tuple[str, Severity | None], ...]:
    if not isinstance(value, Mapping):
        raise _BadValue(f'must be a table of codes and levels, not {_kind(value)} (e.g. rules = {{Q = "error", Q104 = "off"}})')
    overrides: dict[str, Severity | None] = {}
    for raw_prefix, level in value.items():
        try:
            prefix = _rule_prefix(str(raw_prefix))
        except _BadValue as error:
            raise _BadValue(str(error), subkey=str(raw_prefix)) from None
        if not isinstance(level, str) or level.strip().lower() not in RULE_LEVELS:
            shown = _echo(level) if isinstance(level, str) else _kind(level)
            raise _BadValue(f"sets {prefix} to {shown}; a level is one of {', '.join(RULE_LEVELS)}", subkey=str(raw_prefix))
        overrides[prefix] = _level(level)
    return tuple(overrides.items())


def _level(text: str) -> Severity | None:
    word = text.strip().lower()
    return None if word == "off" else Severity.parse(word)


def _rule_prefix(text: str) -> str:
    """A code or prefix that selects at least one rule, upper-cased; _BadValue with a suggestion otherwise."""
    prefix = text.strip().upper()
    if prefix and rule_table.rules_matching(prefix):
        return prefix
    for rule in rule_table.RULES:
        if rule.name == text.strip().lower():
            raise _BadValue(f"names '{text}', a rule name (use its code, {rule.code})")
    codes = [rule.code for rule in rule_table.RULES]
    # Swapped digits are the usual slip (Q140 for Q104); difflib alone ranks Q105 as close.
    swapped = [code for code in codes if sorted(code) == sorted(prefix)]
    close = swapped or difflib.get_close_matches(prefix, codes, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "`claimcheck rules` lists the codes"
    raise _BadValue(f"names '{text}', which is not a rule code or the prefix of one ({hint})")


@dataclass(frozen=True)
class _Setting:
    """One setting: its key as written in a file, and how its value is read."""

    key: str
    read: Callable[[Any, Path], Any]

    @property
    def attr(self) -> str:
        """The Config field and with_overrides() name: fail-on -> fail_on."""
        return self.key.replace("-", "_")


SETTINGS: tuple[_Setting, ...] = (
    _Setting("paths", _read_paths),
    _Setting("fail-on", _read_fail_on),
    _Setting("email", _read_email),
    _Setting("cache-dir", _read_cache_dir),
    _Setting("eutils-url", _read_url),
    _Setting("quote-match-threshold", _read_fraction),
    _Setting("quote-splice-min-words", _whole_number(1, "quote-splice-min-words = 4")),
    _Setting("timeout", _positive_number("timeout = 30")),
    _Setting("max-tries", _whole_number(1, "max-tries = 5")),
    _Setting("retry-wait", _positive_number("retry-wait = 1")),
    _Setting("max-age", _positive_number("max-age = 30")),
    _Setting("offline", _read_bool),
    _Setting("ignore", _read_ignore),
    _Setting("rules", _read_rules),
)
"""Every setting a config file may hold, in the order `claimcheck config` shows them."""

_SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}
_SETTINGS_BY_ATTR = {setting.attr: setting for setting in SETTINGS}


# --- rule severities ----------------------------------------------------------------------------


def _matching_override(code: str, overrides: RuleOverrides) -> tuple[bool, Severity | None]:
    """(found, level) of the longest prefix in ``overrides`` that ``code`` starts with."""
    best = ""
    found = False
    for prefix in overrides:
        if code.startswith(prefix) and (not found or len(prefix) > len(best)):
            best, found = prefix, True
    return found, overrides[best] if found else None


def severity_for(rule: Rule, overrides: RuleOverrides) -> Severity | None:
    """The severity the rule's findings get under ``overrides`` (longest prefix wins); None when off."""
    found, level = _matching_override(rule.code, overrides)
    return level if found else rule.severity


def apply_rule_overrides(findings: Iterable[Finding], overrides: RuleOverrides) -> list[Finding]:
    """The findings with their severities set by ``overrides``, those turned off dropped (pure)."""
    kept: list[Finding] = []
    for finding in findings:
        found, level = _matching_override(finding.rule.code, overrides)
        if not found:
            kept.append(finding)
        elif level is not None:
            kept.append(dataclasses.replace(finding, severity=level) if level != finding.severity else finding)
    return kept


# --- claimcheck config --------------------------------------------------------------------------


def describe(config: Config) -> str:
    """Each effective setting, its value and where it came from (never the API key's value)."""
    source = config.config_file or f"none ({CLAIMCHECK_TOML} or [{TABLE}] in {PYPROJECT})"
    lines = [f"config file: {source}", ""]
    rows = [(setting.key, _shown_setting(config, setting), config.origin(setting.key)) for setting in SETTINGS]
    api_key = f"set (from {API_KEY_VARIABLE})" if config.api_key_set else "not set"
    rows.append(("api-key", api_key, config.origin("api-key")))
    key_width = max(len(key) for key, _, _ in rows)
    value_width = min(max(len(value) for _, value, _ in rows), 48)
    for key, value, origin in rows:
        lines.append(f"{key:<{key_width}}  {value:<{value_width}}  ({origin})")
    changed = _changed_rule_lines(config.rule_overrides)
    if changed:
        lines += ["", "rule levels changed by 'rules':", *changed]
    for note in config.notes:
        lines += ["", f"note: {note}"]
    return "\n".join(lines) + "\n"


def _changed_rule_lines(overrides: RuleOverrides) -> list[str]:
    """One line per rule whose level the ``rules`` table changes."""
    lines: list[str] = []
    for rule in rule_table.RULES:
        level = severity_for(rule, overrides)
        if level == rule.severity:
            continue
        shown = level.label if level is not None else "off"
        lines.append(f"  {rule.title:<30} {rule.severity.label} -> {shown}")
    return lines


def _shown_setting(config: Config, setting: _Setting) -> str:
    """The setting's value as TOML would write it, so it can be copied into a config file."""
    if setting.key == "rules":
        pairs = ", ".join(f"{code} = {_shown_value(level.label if level else 'off')}" for code, level in config.rules)
        return "{" + pairs + "}"
    return _shown_value(getattr(config, setting.attr))


def _shown_value(value: object) -> str:
    """A value as TOML would write it, so it can be copied into a config file."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Path):
        return json.dumps(value.as_posix())
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown_value(item) for item in value) + "]"
    return str(value)
