"""Configuration: files, environment and flags, their precedence, and the errors for bad settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from claimcheck import rules
from claimcheck.config import (
    Config,
    apply_rule_overrides,
    describe,
    load_config,
    severity_for,
)
from claimcheck.errors import ConfigError
from claimcheck.model import Finding, Severity
from claimcheck.pubmed import DEFAULT_EUTILS_URL
from claimcheck.store import default_cache_dir

HOME = {"HOME": "/home/editor"}


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def load(folder: Path, **environ: str) -> Config:
    return load_config(folder, environ={**HOME, **environ})


def finding(rule: rules.Rule, severity: Severity | None = None) -> Finding:
    return Finding(
        rule=rule,
        severity=severity or rule.severity,
        message=f"{rule.name} happened",
        file="claims/a.yaml",
        line=3,
        claim_id="a",
    )


# --- defaults and files -------------------------------------------------------------------------


def test_without_a_config_file_every_setting_is_its_default(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config.paths == ("claims",)
    assert config.fail_on == "error"
    assert config.email is None
    assert config.cache_dir == default_cache_dir(HOME)
    assert config.eutils_url == DEFAULT_EUTILS_URL
    assert (config.timeout, config.max_tries, config.retry_wait, config.offline) == (30.0, 5, 1.0, False)
    assert config.max_age is None
    assert config.settings == Config().settings
    assert config.config_file is None
    assert {origin for _, origin in config.origins} == {"default"}
    assert [key for key, _ in config.origins][-1] == "api-key"


def test_pyproject_settings_are_read_with_their_origin(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """\
[project]
name = "articles"

[tool.claimcheck]
paths = ["claims", "drafts"]
fail-on = "warning"
email = "editor@example.org"
cache-dir = ".cache/records"
quote-match-threshold = 0.9
quote-splice-min-words = 5
timeout = 12
max-tries = 2
retry-wait = 0.5
offline = true
ignore = ["m20"]
rules = {Q = "error", Q104 = "off"}
""",
    )
    config = load(tmp_path)
    assert config.paths == (str(tmp_path / "claims"), str(tmp_path / "drafts"))
    assert config.fail_on == "warning"
    assert config.email == "editor@example.org"
    assert config.cache_dir == tmp_path / ".cache" / "records"
    assert config.settings.quote_match_threshold == 0.9
    assert config.settings.quote_splice_min_words == 5
    assert (config.timeout, config.max_tries, config.retry_wait, config.offline) == (12.0, 2, 0.5, True)
    assert config.ignore == ("M20",)
    assert config.rule_overrides == {"Q": Severity.ERROR, "Q104": None}
    assert config.origin("fail-on") == "pyproject.toml"
    assert config.origin("eutils-url") == "default"
    assert config.config_file is not None and config.config_file.endswith("pyproject.toml [tool.claimcheck]")


def test_a_pyproject_without_the_table_gives_defaults(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "articles"\n[tool.other]\nx = 1\n')
    config = load(tmp_path)
    assert config.config_file is None
    assert config.fail_on == "error"


def test_claimcheck_toml_wins_over_pyproject_and_the_two_are_not_merged(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.claimcheck]\nfail-on = "info"\ntimeout = 3\n')
    write(tmp_path, "claimcheck.toml", 'fail-on = "warning"\n[rules]\nO = "error"\n')
    config = load(tmp_path)
    assert config.fail_on == "warning"
    assert config.timeout == 30.0
    assert config.origin("fail-on") == "claimcheck.toml"
    assert config.origin("timeout") == "default"
    assert config.rule_overrides == {"O": Severity.ERROR}
    assert any("pyproject.toml" in note and "ignored" in note for note in config.notes)


# --- precedence ---------------------------------------------------------------------------------


def test_command_line_beats_environment_beats_file_beats_default(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", 'email = "file@example.org"\ncache-dir = "from-file"\neutils-url = "http://file.test/"\n')
    environment = {"NCBI_EMAIL": "env@example.org", "CLAIMCHECK_EUTILS_URL": "http://env.test/"}
    config = load(tmp_path, **environment)
    assert config.email == "env@example.org" and config.origin("email") == "environment"
    assert config.eutils_url == "http://env.test/" and config.origin("eutils-url") == "environment"
    assert config.cache_dir == tmp_path / "from-file" and config.origin("cache-dir") == "claimcheck.toml"
    assert config.origin("timeout") == "default"

    flagged = config.with_overrides(email="flag@example.org", cache_dir="flag-cache", timeout=None)
    assert flagged.email == "flag@example.org" and flagged.origin("email") == "command line"
    assert flagged.cache_dir == Path("flag-cache") and flagged.origin("cache-dir") == "command line"
    assert flagged.eutils_url == "http://env.test/" and flagged.origin("eutils-url") == "environment"
    assert flagged.timeout == 30.0 and flagged.origin("timeout") == "default"
    assert config.email == "env@example.org"


def test_the_cache_dir_variable_counts_as_environment_not_default(tmp_path: Path) -> None:
    config = load(tmp_path, CLAIMCHECK_CACHE_DIR="/var/cache/cc")
    assert config.cache_dir == Path("/var/cache/cc")
    assert config.origin("cache-dir") == "environment"
    assert load(tmp_path).origin("cache-dir") == "default"


def test_empty_environment_variables_count_as_unset(tmp_path: Path) -> None:
    config = load(tmp_path, NCBI_EMAIL="  ", NCBI_API_KEY="")
    assert config.email is None and config.origin("email") == "default"
    assert not config.api_key_set


def test_command_line_ignore_replaces_the_file_list_and_accepts_commas(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", 'ignore = ["M"]\n')
    config = load(tmp_path).with_overrides(ignore="q10, O301")
    assert config.ignore == ("Q10", "O301")


def test_with_overrides_validates_like_the_file(tmp_path: Path) -> None:
    config = load(tmp_path)
    with pytest.raises(ConfigError, match=r"--fail-on must be one of error, warning, info, never"):
        config.with_overrides(fail_on="sometimes")
    with pytest.raises(ConfigError, match=r"--max-tries must be a whole number of at least 1"):
        config.with_overrides(max_tries=0)
    with pytest.raises(TypeError, match="colour"):
        config.with_overrides(colour=True)


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"environment variable CLAIMCHECK_EUTILS_URL is \"ftp://x\", not an http"):
        load(tmp_path, CLAIMCHECK_EUTILS_URL="ftp://x")


# --- errors -------------------------------------------------------------------------------------


def test_an_unknown_key_is_an_error_with_file_line_and_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.claimcheck]\nfail_on = "warning"\ntimout = 3\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert "pyproject.toml:5: unknown key 'fail_on' (did you mean 'fail-on'?)" in message
    assert "pyproject.toml:6: unknown key 'timout' (did you mean 'timeout'?)" in message


def test_an_unknown_key_far_from_any_setting_lists_them(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", "colour = true\n")
    with pytest.raises(ConfigError, match=r"claimcheck.toml:1: unknown key 'colour' \(the settings are: paths, fail-on"):
        load(tmp_path)


def test_tool_table_in_claimcheck_toml_is_explained(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", '[tool.claimcheck]\nfail-on = "info"\n')
    with pytest.raises(ConfigError, match="at its top level, without"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('timeout = "fast"', "'timeout' must be a number greater than 0, not the text \"fast\""),
        ("timeout = true", "'timeout' must be a number greater than 0, not true/false"),
        ("max-tries = 2.5", "'max-tries' must be a whole number of at least 1, not the number 2.5"),
        ("quote-splice-min-words = 0", "'quote-splice-min-words' must be a whole number of at least 1"),
        ("quote-match-threshold = 1.5", "'quote-match-threshold' must be a number from 0 to 1"),
        ('offline = "yes"', "'offline' must be true or false"),
        ('fail-on = "sometimes"', "'fail-on' must be one of error, warning, info, never"),
        ('paths = "claims"', "'paths' must be a list of text"),
        ("paths = []", "'paths' is an empty list"),
        ('email = "not an address"', "'email' is \"not an address\", not an email address"),
        ('ignore = ["Z9"]', "'ignore' names 'Z9', which is not a rule code"),
        ('rules = "strict"', "'rules' must be a table of codes and levels"),
        ('rules = {quote-altered = "off"}', "'rules' names 'quote-altered', a rule name (use its code, Q102)"),
        ('rules = {Q140 = "off"}', "did you mean 'Q104'?"),
        ('rules = {Q104 = "loud"}', "'rules' sets Q104 to \"loud\"; a level is one of off, info, warning, error"),
        ('rules = {"" = "off"}', "'rules' names '', which is not a rule code"),
    ],
)
def test_bad_values_say_where_what_and_how(tmp_path: Path, line: str, expected: str) -> None:
    write(tmp_path, "claimcheck.toml", f"# settings\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert "claimcheck.toml:2: " in str(caught.value)
    assert expected in str(caught.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", 'timeout = -1\nfail-on = "x"\nfooo = 1\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert len(str(caught.value).splitlines()) == 3


def test_a_rules_sub_table_points_at_the_bad_line(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.claimcheck]\nfail-on = "error"\n\n[tool.claimcheck.rules]\nQ = "error"\nM2 = "of"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml:6: 'rules' sets M2 to \"of\""):
        load(tmp_path)


def test_invalid_toml_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.claimcheck]\nfail-on = "warning\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML: .*line 2"):
        load(tmp_path)


def test_a_config_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "claimcheck.toml").write_bytes(b'email = "\xff@example.org"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(tmp_path)


@pytest.mark.parametrize("key", ["api-key", "api_key", "ncbi_api_key", "API_KEY"])
def test_an_api_key_in_a_config_file_is_refused_without_echoing_it(tmp_path: Path, key: str) -> None:
    write(tmp_path, "pyproject.toml", f'[tool.claimcheck]\n{key} = "s3cr3t-value"\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert "NCBI_API_KEY" in message
    assert "pyproject.toml:2" in message
    assert "s3cr3t-value" not in message


# --- rule levels --------------------------------------------------------------------------------


def test_the_longest_matching_prefix_wins() -> None:
    overrides = {"Q": Severity.ERROR, "Q10": Severity.INFO, "Q104": None, "M201": Severity.WARNING}
    assert severity_for(rules.QUOTE_NOT_FOUND, overrides) is Severity.INFO
    assert severity_for(rules.QUOTE_COSMETIC, overrides) is None
    assert severity_for(rules.JOURNAL_MISMATCH, overrides) is Severity.WARNING
    assert severity_for(rules.DATE_MISMATCH, overrides) is rules.DATE_MISMATCH.severity
    assert severity_for(rules.RETRACTED, {}) is Severity.ERROR


def test_the_order_of_the_table_does_not_matter() -> None:
    forward = {"O": Severity.INFO, "O303": Severity.WARNING}
    backward = {"O303": Severity.WARNING, "O": Severity.INFO}
    for overrides in (forward, backward):
        assert severity_for(rules.RELATIVE_AS_ABSOLUTE, overrides) is Severity.WARNING
        assert severity_for(rules.HEDGE_DROPPED, overrides) is Severity.INFO


def test_apply_rule_overrides_sets_levels_drops_off_and_keeps_the_rest() -> None:
    findings = [
        finding(rules.QUOTE_NOT_FOUND),
        finding(rules.QUOTE_COSMETIC),
        finding(rules.JOURNAL_MISMATCH, Severity.INFO),
        finding(rules.RETRACTED),
    ]
    original = list(findings)
    result = apply_rule_overrides(findings, {"Q": Severity.ERROR, "Q104": None})
    assert [(item.rule.code, item.severity) for item in result] == [
        ("Q101", Severity.ERROR),
        ("M201", Severity.INFO),
        ("R403", Severity.ERROR),
    ]
    assert result[1] is findings[2]
    assert findings == original
    assert findings[0].severity is Severity.WARNING
    assert result[0] == replace(findings[0], severity=Severity.ERROR)


def test_config_rule_overrides_feed_apply(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", 'rules = {u = "warning", C901 = "off"}\n')
    overrides = load(tmp_path).rule_overrides
    result = apply_rule_overrides([finding(rules.SOURCE_UNAVAILABLE), finding(rules.UNUSED_ACCEPT)], overrides)
    assert [(item.rule.code, item.severity) for item in result] == [("U501", Severity.WARNING)]


# --- claimcheck config --------------------------------------------------------------------------


def test_describe_shows_values_and_origins_but_never_the_api_key(tmp_path: Path) -> None:
    write(tmp_path, "claimcheck.toml", 'fail-on = "warning"\nrules = {Q104 = "off"}\n')
    config = load(tmp_path, NCBI_API_KEY="k3y-that-must-not-show").with_overrides(timeout=9.0)
    text = describe(config)
    assert "k3y-that-must-not-show" not in text
    lines = {line.split()[0]: line for line in text.splitlines() if line and not line.startswith(" ")}
    assert "set (from NCBI_API_KEY)" in lines["api-key"] and "(environment)" in lines["api-key"]
    assert '"warning"' in lines["fail-on"] and "(claimcheck.toml)" in lines["fail-on"]
    assert "9.0" in lines["timeout"] and "(command line)" in lines["timeout"]
    assert '{Q104 = "off"}' in lines["rules"]
    assert "(default)" in lines["paths"] and '["claims"]' in lines["paths"]
    assert "Q104 quote-cosmetic" in text and "info -> off" in text
    assert lines["config"].startswith("config file: ") and lines["config"].endswith("claimcheck.toml")


def test_describe_says_not_set_without_a_key(tmp_path: Path) -> None:
    text = describe(load(tmp_path))
    api_line = next(line for line in text.splitlines() if line.startswith("api-key"))
    assert "not set" in api_line and "(default)" in api_line
    assert "config file: none" in text
    assert "rule levels changed" not in text
