"""The E-utilities client against the fake server: batching, retries, pacing, secrecy, answer forms."""

from __future__ import annotations

import io
import logging
import threading

import pytest
import requests
from Bio import Entrez

from claimcheck import pubmed
from claimcheck.errors import ConfigError, ServiceError
from claimcheck.pubmed import (
    DEFAULT_EUTILS_URL,
    CitationQuery,
    EutilsClient,
    FetchResult,
    MatchStatus,
    SearchNote,
)
from claimcheck.records import split_pubmed_set
from tests.fake_eutils import (
    EFETCH_ERROR_HEADER,
    PUBMED_HEADER,
    FakeEutils,
    Markup,
    make_article_xml,
    make_book_article_xml,
    pubmed_set_xml,
)

API_KEY = "a1b2c3d4e5f6secretkey0987"
FAST = {"backoff": 0.001, "max_backoff": 0.005, "timeout": 5.0, "max_tries": 3, "requests_per_second": 1000.0}


def client_for(server: FakeEutils, **options: object) -> EutilsClient:
    """A client for the fake server that retries without real waiting and is paced far above the tests' needs."""
    settings = {**FAST, "email": "dev@example.org", **options}
    return EutilsClient(base_url=server.url, **settings)  # type: ignore[arg-type]


def add_articles(server: FakeEutils, pmids: list[str]) -> None:
    """Serve an invented article for each PMID, each with a distinct title."""
    for pmid in pmids:
        server.add_record(pmid, make_article_xml(pmid, f"Invented trial number {pmid} of walking.",
                                                 abstract_sections=[("METHODS", f"We counted {pmid} steps."),
                                                                    ("RESULTS", "Walking helped (p < 0.05).")]))


def title_in(data: bytes, pmid: str) -> bool:
    return f"Invented trial number {pmid} of walking.".encode() in data


# --- EFetch ---------------------------------------------------------------------------------------


def test_450_pmids_take_three_posts_and_return_every_record(fake_eutils: FakeEutils) -> None:
    pmids = [str(30000000 + n) for n in range(450)]
    add_articles(fake_eutils, pmids)
    seen: list[tuple[int, int]] = []
    with client_for(fake_eutils) as client:
        result = client.efetch(pmids, progress=lambda done, total: seen.append((done, total)))
    assert list(result.records) == pmids
    assert result.missing == ()
    for pmid in pmids:
        assert title_in(result.records[pmid], pmid)
        assert [found for found, _ in split_pubmed_set(result.records[pmid])] == [pmid]
    posts = fake_eutils.requests_to("efetch")
    assert len(posts) == 3
    assert all(request.method == "POST" for request in posts)
    batches = [request.form_params["id"].split(",") for request in posts]
    assert [len(batch) for batch in batches] == [200, 200, 50]
    assert [pmid for batch in batches for pmid in batch] == pmids
    for request in posts:
        assert request.form_params["db"] == "pubmed"
        assert request.form_params["retmode"] == "xml"
        assert request.form_params["tool"] == "claimcheck"
        assert request.form_params["email"] == "dev@example.org"
        assert request.url_params == {}
    assert seen == [(200, 450), (400, 450), (450, 450)]


def test_records_are_the_bytes_efetch_sent_with_ncbi_framing(fake_eutils: FakeEutils) -> None:
    article = make_article_xml("30000001", Markup("Effect of <i>TERT</i> on CO<sub>2</sub> in M\u00fcller cells."))
    fake_eutils.add_record("30000001", article)
    with client_for(fake_eutils) as client:
        data = client.efetch(["30000001"]).records["30000001"]
    assert data.startswith(PUBMED_HEADER.encode())
    assert article.encode() in data
    assert b"M&#xfc;ller" in data
    assert Entrez.read(io.BytesIO(data))["PubmedArticle"][0]["MedlineCitation"]["PMID"] == "30000001"


def test_repeated_pmids_are_fetched_once_in_first_seen_order(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["3", "1", "2"])
    with client_for(fake_eutils) as client:
        result = client.efetch(["3", "1", "3", "2", "1"])
    assert list(result.records) == ["3", "1", "2"]
    assert [request.form_params["id"] for request in fake_eutils.requests_to("efetch")] == ["3,1,2"]


def test_unknown_pmids_are_reported_missing_not_dropped(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["101", "103"])
    with client_for(fake_eutils) as client:
        result = client.efetch(["101", "99999999", "103", "102"])
    assert list(result.records) == ["101", "103"]
    assert result.missing == ("99999999", "102")


def test_all_invalid_ids_answer_400_and_are_missing_without_retry(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["5"])
    with client_for(fake_eutils) as client:
        result = client.efetch(["0", "00000000"])
    assert result == FetchResult(records={}, missing=("0", "00000000"))
    assert [request.status for request in fake_eutils.requests_to("efetch")] == [400]


def test_no_pmids_means_no_request(fake_eutils: FakeEutils) -> None:
    with client_for(fake_eutils) as client:
        assert client.efetch([]) == FetchResult(records={}, missing=())
    assert fake_eutils.count() == 0


@pytest.mark.parametrize("bad", [["123", "12a"], ["PMID123"], [" 123"], ["1.5"], ["\u0661\u0662"], [""], [123]])
def test_non_digit_pmids_raise_before_any_request(fake_eutils: FakeEutils, bad: list[object]) -> None:
    with client_for(fake_eutils) as client, pytest.raises(ValueError, match="not a PMID"):
        client.efetch(bad)  # type: ignore[arg-type]
    assert fake_eutils.count() == 0


def test_a_single_string_is_refused(fake_eutils: FakeEutils) -> None:
    with client_for(fake_eutils) as client, pytest.raises(ValueError, match="not a single string"):
        client.efetch("12345")
    assert fake_eutils.count() == 0


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "html200", "truncated", "empty", "prolog_only",
                                  "error_xml", "proxy400", "drop"])
def test_a_failed_answer_is_retried_and_every_record_arrives(fake_eutils: FakeEutils, kind: str) -> None:
    pmids = ["201", "202", "203"]
    add_articles(fake_eutils, pmids)
    fake_eutils.fail_next(kind)
    with client_for(fake_eutils) as client:
        result = client.efetch(pmids)
    assert list(result.records) == pmids
    assert result.missing == ()
    assert all(title_in(result.records[pmid], pmid) for pmid in pmids)
    assert fake_eutils.count("efetch") == 2


def test_several_failures_in_a_row_before_a_good_answer(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["7", "8"])
    for kind in ("500", "429", "html200", "truncated"):
        fake_eutils.fail_next(kind)
    with client_for(fake_eutils, max_tries=5) as client:
        result = client.efetch(["7", "8"])
    assert list(result.records) == ["7", "8"]
    assert [request.status for request in fake_eutils.requests_to("efetch")] == [500, 429, 200, 200, 200]


def test_a_slow_answer_is_cut_by_the_timeout_and_retried(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["11"])
    fake_eutils.fail_next("slow", delay=3.0)
    with client_for(fake_eutils, timeout=0.2) as client:
        result = client.efetch(["11"])
    assert list(result.records) == ["11"]
    assert fake_eutils.count("efetch") == 2


def test_a_server_that_always_fails_gives_a_service_error_naming_the_pmids(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["301", "302"])
    fake_eutils.always_fail("503")
    with client_for(fake_eutils, max_tries=4) as client, pytest.raises(ServiceError) as caught:
        client.efetch(["301", "302"])
    message = str(caught.value)
    assert "301" in message and "302" in message
    assert "4 tries" in message and "503" in message
    assert "\n" not in message
    assert caught.value.pmids == ("301", "302")
    assert fake_eutils.count("efetch") == 4


def test_a_failing_later_batch_names_that_batch(fake_eutils: FakeEutils) -> None:
    pmids = [str(40000000 + n) for n in range(250)]
    add_articles(fake_eutils, pmids)
    with client_for(fake_eutils) as client:
        client.efetch(pmids[:1])
        fake_eutils.always_fail("error_xml")
        with pytest.raises(ServiceError) as caught:
            client.efetch(pmids)
    assert caught.value.pmids == tuple(pmids)
    assert "40000000" in str(caught.value) and "240 more" in str(caught.value)
    assert "C++ Exception" in str(caught.value)


def test_a_wrong_base_url_fails_at_once(fake_eutils: FakeEutils) -> None:
    with EutilsClient(base_url=fake_eutils.url + "nowhere", **FAST) as client:  # type: ignore[arg-type]
        with pytest.raises(ServiceError, match="404"):
            client.efetch(["1"])
    assert fake_eutils.count() == 1


def test_a_closed_port_is_a_service_error_after_every_try() -> None:
    server = FakeEutils().start()
    url = server.url
    server.stop()
    with EutilsClient(base_url=url, **FAST) as client:  # type: ignore[arg-type]
        with pytest.raises(ServiceError, match="3 tries.*ConnectionError"):
            client.efetch(["1"])


# --- backoff --------------------------------------------------------------------------------------


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the client chooses between tries, recorded instead of slept."""
    chosen: list[float] = []
    monkeypatch.setattr(pubmed, "_sleep_between_tries", chosen.append)
    return chosen


def test_backoff_grows_exponentially_with_jitter(fake_eutils: FakeEutils, delays: list[float]) -> None:
    add_articles(fake_eutils, ["1"])
    fake_eutils.fail_next("500", times=3)
    with client_for(fake_eutils, backoff=1.0, max_backoff=30.0, max_tries=4) as client:
        client.efetch(["1"])
    assert len(delays) == 3
    for attempt, delay in enumerate(delays, start=1):
        assert 0.5 * 2 ** (attempt - 1) <= delay <= 2 ** (attempt - 1)


def test_backoff_is_capped_by_max_backoff(fake_eutils: FakeEutils, delays: list[float]) -> None:
    add_articles(fake_eutils, ["1"])
    fake_eutils.fail_next("503", times=3)
    with client_for(fake_eutils, backoff=10.0, max_backoff=12.0, max_tries=4) as client:
        client.efetch(["1"])
    assert all(delay <= 12.0 for delay in delays)
    assert delays[-1] >= 6.0


def test_retry_after_is_honoured_and_capped(fake_eutils: FakeEutils, delays: list[float]) -> None:
    add_articles(fake_eutils, ["1"])
    fake_eutils.fail_next("429", retry_after="7")
    fake_eutils.fail_next("503", retry_after="120")
    with client_for(fake_eutils, backoff=0.001, max_backoff=30.0) as client:
        client.efetch(["1"])
    assert delays == [7.0, 30.0]


# --- pacing ---------------------------------------------------------------------------------------


def test_pacing_spreads_requests_from_all_threads(fake_eutils: FakeEutils) -> None:
    rate, threads, each = 20.0, 3, 4
    add_articles(fake_eutils, ["1"])
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with client_for(fake_eutils, requests_per_second=rate) as client:  # one client per thread
                for _ in range(each):
                    client.efetch(["1"])
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    times = [request.time for request in fake_eutils.requests_to("efetch")]
    assert len(times) == threads * each
    assert times[-1] - times[0] >= (len(times) - 1) / rate - 0.03
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= 0.5 / rate


def test_the_default_rate_follows_the_api_key() -> None:
    assert EutilsClient().requests_per_second == 3
    assert EutilsClient(api_key=API_KEY).requests_per_second == 10
    assert EutilsClient(api_key=API_KEY, requests_per_second=25).requests_per_second == 25


def test_fake_answers_429_above_its_rate_limit() -> None:
    with FakeEutils(rate_limit=2) as server:
        add_articles(server, ["1"])
        answers = [requests.post(server.url + "efetch.fcgi", data={"db": "pubmed", "id": "1", "api_key": API_KEY},
                                 timeout=5) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "Retry-After" not in answers[2].headers
    assert answers[2].json() == {"error": "API rate limit exceeded", "api-key": API_KEY, "count": "3", "limit": "2"}


# --- the API key ----------------------------------------------------------------------------------


def test_the_api_key_travels_in_the_body_and_nowhere_else(fake_eutils: FakeEutils,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    add_articles(fake_eutils, ["1"])
    fake_eutils.fail_next("500")
    with client_for(fake_eutils, api_key=API_KEY) as client:
        assert API_KEY not in repr(client) and API_KEY not in str(vars(client))
        assert client.has_api_key
        client.efetch(["1"])
        fake_eutils.always_fail("429")  # NCBI's 429 body echoes the key; the client must not repeat it
        with pytest.raises(ServiceError) as caught:
            client.efetch(["2"])
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)
    assert API_KEY not in caplog.text
    assert "429" in caplog.text  # the log did record the failures
    for request in fake_eutils.requests:
        assert API_KEY not in request.path
        assert "api_key" not in request.url_params
        assert request.form_params["api_key"] == API_KEY
        assert f"api_key={API_KEY}".encode() in request.body


def test_the_api_key_is_not_in_a_connection_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = FakeEutils().start()
    url = server.url
    server.stop()
    with EutilsClient(base_url=url, api_key=API_KEY, **FAST) as client:  # type: ignore[arg-type]
        with pytest.raises(ServiceError) as caught:
            client.esearch("walking")
    assert API_KEY not in str(caught.value) and API_KEY not in caplog.text


def test_without_key_or_email_none_is_sent(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["1"])
    with EutilsClient(base_url=fake_eutils.url, **FAST) as client:  # type: ignore[arg-type]
        client.efetch(["1"])
    params = fake_eutils.requests[0].form_params
    assert "api_key" not in params and "email" not in params
    assert params["tool"] == "claimcheck"


# --- configuration --------------------------------------------------------------------------------


def test_from_environment_reads_url_email_and_key() -> None:
    environ = {"CLAIMCHECK_EUTILS_URL": "http://127.0.0.1:9/entrez/eutils", "NCBI_EMAIL": "me@example.org",
               "NCBI_API_KEY": API_KEY}
    client = EutilsClient.from_environment(environ=environ)
    assert client.base_url == "http://127.0.0.1:9/entrez/eutils/"
    assert client.email == "me@example.org"
    assert client.has_api_key and client.requests_per_second == 10
    assert EutilsClient.from_environment(base_url="http://example.org/e", environ=environ).base_url == \
        "http://example.org/e/"
    bare = EutilsClient.from_environment(environ={})
    assert bare.base_url == DEFAULT_EUTILS_URL and bare.email is None and not bare.has_api_key


def test_from_environment_uses_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMCHECK_EUTILS_URL", "http://127.0.0.1:9/x/")
    monkeypatch.setenv("NCBI_API_KEY", "")
    client = EutilsClient.from_environment()
    assert client.base_url == "http://127.0.0.1:9/x/" and not client.has_api_key


@pytest.mark.parametrize("options", [{"tool": "claim check"}, {"max_tries": 0}, {"timeout": 0},
                                     {"requests_per_second": 0}, {"base_url": "eutils.ncbi.nlm.nih.gov"},
                                     {"backoff": -1}])
def test_bad_options_are_config_errors(options: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        EutilsClient(**options)  # type: ignore[arg-type]


# --- ESearch --------------------------------------------------------------------------------------


def test_esearch_hits(fake_eutils: FakeEutils) -> None:
    fake_eutils.add_search("crispr[ti] AND 2019[dp]", ["31452104", "29106400"],
                           query_translation='"crispr"[Title] AND 2019:2019[pdat]',
                           translations=[("crispr[ti]", '"crispr"[Title]')])
    with client_for(fake_eutils) as client:
        result = client.esearch("crispr[ti] AND 2019[dp]", retmax=5)
    assert result.count == 2 and result.ids == ("31452104", "29106400")
    assert result.query_translation == '"crispr"[Title] AND 2019:2019[pdat]'
    assert result.translations == (("crispr[ti]", '"crispr"[Title]'),)
    assert result.errors == () and result.warnings == () and not result.truncated
    params = fake_eutils.requests[0].form_params
    assert params["term"] == "crispr[ti] AND 2019[dp]" and params["retmax"] == "5" and params["db"] == "pubmed"


def test_esearch_no_hits_reports_errorlist_and_warninglist(fake_eutils: FakeEutils) -> None:
    with client_for(fake_eutils) as client:
        result = client.esearch("abcXYZ")
    assert result.count == 0 and result.ids == ()
    assert result.errors == (SearchNote("PhraseNotFound", "abcXYZ"),)
    assert result.warnings == (SearchNote("OutputMessage", "No items found."),)


def test_esearch_clamped_at_the_ceiling(fake_eutils: FakeEutils) -> None:
    ids = [str(20000000 + n) for n in range(30)]
    fake_eutils.add_search("cholesterol", ids, count=319477)
    with client_for(fake_eutils) as client:
        result = client.esearch("cholesterol", retmax=20000)
    assert result.count == 319477 and result.ids == tuple(ids) and result.truncated
    assert result.warnings[0].kind == "OutputMessage"
    assert result.warnings[0].text.startswith("Restrictions achieved.")


def test_esearch_error_about_the_query_fails_at_once(fake_eutils: FakeEutils) -> None:
    fake_eutils.add_search("cancer", error="Search Backend failed: Exception:\n'retstart' cannot be larger than 9998.")
    with client_for(fake_eutils) as client, pytest.raises(ServiceError, match="cannot be larger than 9998"):
        client.esearch("cancer")
    assert fake_eutils.count("esearch") == 1


@pytest.mark.parametrize("kind", ["error_xml", "html200", "truncated", "prolog_only", "empty", "502", "drop"])
def test_esearch_transient_failures_are_retried(fake_eutils: FakeEutils, kind: str) -> None:
    fake_eutils.add_search("walking", ["1", "2", "3"])
    fake_eutils.fail_next(kind, endpoint="esearch")
    with client_for(fake_eutils) as client:
        assert client.esearch("walking").ids == ("1", "2", "3")
    assert fake_eutils.count("esearch") == 2


def test_esearch_always_failing_gives_service_error(fake_eutils: FakeEutils) -> None:
    fake_eutils.always_fail("error_xml")
    with client_for(fake_eutils) as client, pytest.raises(ServiceError, match="3 tries.*C\\+\\+ Exception"):
        client.esearch("walking")


def test_esearch_agrees_with_biopython_on_the_fake_answer(fake_eutils: FakeEutils) -> None:
    fake_eutils.add_search("PNAS[ta] AND 97[vi]", ["11000001", "11000002"], count=2,
                           query_translation='"proc natl acad sci u s a"[Journal] AND "97"[Volume]',
                           translations=[("PNAS[ta]", '"Proc Natl Acad Sci U S A"[Journal:__jid7505876]')])
    answer = requests.post(fake_eutils.url + "esearch.fcgi", data={"db": "pubmed", "term": "PNAS[ta] AND 97[vi]"},
                           timeout=5)
    oracle = Entrez.read(io.BytesIO(answer.content))
    with client_for(fake_eutils) as client:
        result = client.esearch("PNAS[ta] AND 97[vi]")
    assert result.count == int(oracle["Count"])
    assert list(result.ids) == list(oracle["IdList"])
    assert result.query_translation == oracle["QueryTranslation"]
    assert result.translations == tuple((item["From"], item["To"]) for item in oracle["TranslationSet"])


def test_esearch_refuses_an_empty_term(fake_eutils: FakeEutils) -> None:
    with client_for(fake_eutils) as client, pytest.raises(ValueError):
        client.esearch("  ")
    assert fake_eutils.count() == 0


# --- ECitMatch ------------------------------------------------------------------------------------


def test_ecitmatch_reads_every_documented_answer(fake_eutils: FakeEutils) -> None:
    fake_eutils.add_citation_match("citation_1", "2014248")
    fake_eutils.add_citation_match("k2", "NOT_FOUND;INVALID_JOURNAL")
    fake_eutils.add_citation_match("k3", "AMBIGUOUS (5 citations)")
    fake_eutils.add_citation_match("k4", "AMBIGUOUS 26315901,25768914")
    fake_eutils.add_citation_match("k5", "NOT_FOUND")
    fake_eutils.add_citation_match("k6", None)  # NCBI left this citation's line out
    fake_eutils.add_citation_match("k7", "29209023", echo="|2017|||Gaunt RA|k7")  # a mangled echo
    citations = [
        CitationQuery("citation_1", "proc natl acad sci u s a", "1991", "88", "3248", "mann bj"),
        CitationQuery("k2", "computers", "2000", "40", "885"),
        CitationQuery("k3", "pnas", "2008", author="an"),
        CitationQuery("k4", "bioinformatics", "2015", "31"),
        CitationQuery("k5", "science", "1987", "235", "182", "palmenberg ac"),
        CitationQuery("k6", "nature", "1999"),
        CitationQuery("k7", "j neural eng", "2017", author="RA Gaunt"),
    ]
    with client_for(fake_eutils) as client:
        matches = client.ecitmatch(citations)
    assert [match.query for match in matches] == citations
    found, invalid, counted, listed, not_found, unanswered, mangled = matches
    assert (found.status, found.pmid) == (MatchStatus.FOUND, "2014248")
    assert invalid.status is MatchStatus.INVALID_JOURNAL and invalid.pmid is None
    assert (counted.status, counted.candidate_count, counted.candidates) == (MatchStatus.AMBIGUOUS, 5, ())
    assert (listed.status, listed.candidates, listed.candidate_count) == \
        (MatchStatus.AMBIGUOUS, ("26315901", "25768914"), 2)
    assert not_found.status is MatchStatus.NOT_FOUND and not_found.raw == "NOT_FOUND"
    assert unanswered.status is MatchStatus.NOT_FOUND and unanswered.raw == ""
    assert (mangled.status, mangled.pmid, mangled.key) == (MatchStatus.FOUND, "29209023", "k7")


def test_ecitmatch_sends_ncbi_bdata(fake_eutils: FakeEutils) -> None:
    citations = [CitationQuery("Art1", "proc natl acad sci u s a", "1991", "88", "3248", "mann bj"),
                 CitationQuery("Art2", "science|weekly", "1987", "235", "182", "palmenberg\nac")]
    with client_for(fake_eutils) as client:
        client.ecitmatch(citations)
    request = fake_eutils.requests_to("ecitmatch")[0]
    assert request.method == "POST" and request.path.endswith("/ecitmatch.cgi")
    assert (b"bdata=proc+natl+acad+sci+u+s+a|1991|88|3248|mann+bj|Art1|%0D"
            b"science+weekly|1987|235|182|palmenberg+ac|Art2|") in request.body
    assert request.form_params["retmode"] == "xml" and request.form_params["db"] == "pubmed"


def test_ecitmatch_batches_citations(fake_eutils: FakeEutils) -> None:
    citations = [CitationQuery(f"key{n}", "j invent stud", "2020", "1", str(n)) for n in range(150)]
    fake_eutils.add_citation_match("key149", "30000149")
    with client_for(fake_eutils) as client:
        matches = client.ecitmatch(citations)
    assert len(matches) == 150 and matches[149].pmid == "30000149"
    assert all(match.status is MatchStatus.NOT_FOUND for match in matches[:149])
    assert fake_eutils.count("ecitmatch") == 2


@pytest.mark.parametrize("kind", ["html200", "500", "429", "empty", "error_xml", "drop", "truncated"])
def test_ecitmatch_retries_non_answers(fake_eutils: FakeEutils, kind: str) -> None:
    fake_eutils.add_citation_match("k1", "12345")
    fake_eutils.fail_next(kind)
    with client_for(fake_eutils) as client:
        assert client.ecitmatch([CitationQuery("k1", "j", "2000", "1", "1")])[0].pmid == "12345"
    assert fake_eutils.count("ecitmatch") == 2


def test_ecitmatch_undocumented_result_is_a_service_error(fake_eutils: FakeEutils) -> None:
    fake_eutils.add_citation_match("k1", "SOMETHING ELSE")
    with client_for(fake_eutils) as client, pytest.raises(ServiceError, match="k1.*does not document"):
        client.ecitmatch([CitationQuery("k1", "j")])


def test_ecitmatch_of_nothing_asks_nothing(fake_eutils: FakeEutils) -> None:
    with client_for(fake_eutils) as client:
        assert client.ecitmatch([]) == []
    assert fake_eutils.count() == 0


@pytest.mark.parametrize("keys", [["a", "a"], ["a|b"], [""], ["two words"]])
def test_ecitmatch_keys_must_be_unique_words(fake_eutils: FakeEutils, keys: list[str]) -> None:
    with client_for(fake_eutils) as client, pytest.raises(ValueError):
        client.ecitmatch([CitationQuery(key, "j") for key in keys])
    assert fake_eutils.count() == 0


# --- the fake server itself -----------------------------------------------------------------------


def test_fake_efetch_answers_get_in_request_order_and_the_400_envelope(fake_eutils: FakeEutils) -> None:
    add_articles(fake_eutils, ["1", "2"])
    answer = requests.get(fake_eutils.url + "efetch.fcgi", params={"db": "pubmed", "id": "2,77,1"}, timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert [pmid for pmid, _ in split_pubmed_set(answer.content)] == ["2", "1"]
    assert answer.content.endswith(b"</PubmedArticle></PubmedArticleSet>")
    empty = requests.get(fake_eutils.url + "efetch.fcgi", params={"db": "pubmed", "id": "77"}, timeout=5)
    assert empty.content == (PUBMED_HEADER + "<PubmedArticleSet></PubmedArticleSet>\n").encode()
    invalid = requests.get(fake_eutils.url + "efetch.fcgi", params={"db": "pubmed", "id": "00000000"}, timeout=5)
    assert invalid.status_code == 400
    assert invalid.content == (EFETCH_ERROR_HEADER + "<eFetchResult>\n\t<ERROR>ID list is empty! Possibly it "
                               "has no correct IDs.</ERROR>\n</eFetchResult>\n").encode()
    assert fake_eutils.requests[0].url_params["id"] == "2,77,1" and fake_eutils.requests[0].method == "GET"


def test_fake_serves_records_added_from_a_set(fake_eutils: FakeEutils) -> None:
    articles = [make_article_xml("41", "First."), make_book_article_xml("42", "Second.")]
    assert fake_eutils.add_records_from_set(pubmed_set_xml(articles)) == ["41", "42"]
    with client_for(fake_eutils) as client:
        result = client.efetch(["42", "41"])
    assert articles[1].encode() in result.records["42"] and articles[0].encode() in result.records["41"]


def test_fake_articles_validate_against_the_pubmed_dtd() -> None:
    article = make_article_xml(
        "30000001", Markup("Effect of <i>TERT</i> variants"), abstract_sections=[("BACKGROUND", "r < 0.25 & more")],
        pub_date="1998 Dec-1999 Jan", article_date="2018-06-15", authors=["M\u00fcller, Anna", "EXAMPLE Group"],
        publication_types=["Journal Article", "Retracted Publication"], mesh_headings=["Telomere"],
        keywords=["telomere"], doi="10.1000/x.1", pmcid="PMC1", comments_corrections=[("RetractionIn", "J. 2020", "3")])
    record = Entrez.read(io.BytesIO(pubmed_set_xml([article, make_book_article_xml("42")])))
    citation = record["PubmedArticle"][0]["MedlineCitation"]
    assert citation["Article"]["Abstract"]["AbstractText"][0] == "r < 0.25 & more"
    assert citation["Article"]["Journal"]["JournalIssue"]["PubDate"] == {"MedlineDate": "1998 Dec-1999 Jan"}
    assert citation["Article"]["AuthorList"][0]["LastName"] == "M\u00fcller"
    assert citation["CommentsCorrectionsList"][0].attributes["RefType"] == "RetractionIn"
    assert record["PubmedBookArticle"][0]["BookDocument"]["PMID"] == "42"


def test_fake_refuses_unknown_failure_kinds(fake_eutils: FakeEutils) -> None:
    with pytest.raises(ValueError, match="unknown failure kind"):
        fake_eutils.fail_next("teapot")


def test_fake_works_without_pytest_fixtures_and_stops_promptly() -> None:
    with FakeEutils(latency=0.01) as server:
        add_articles(server, ["1"])
        server.fail_next("slow", delay=30.0)
        with client_for(server, timeout=0.2) as client:
            assert list(client.efetch(["1"]).records) == ["1"]
    with pytest.raises(RuntimeError):
        server.url  # noqa: B018 (the property raises once stopped)


def test_an_answer_without_a_length_is_cut_off_at_the_cap(monkeypatch):
    import io

    import requests
    from urllib3.response import HTTPResponse

    from claimcheck import pubmed

    monkeypatch.setattr(pubmed, "MAX_ANSWER_BYTES", 1000)
    response = requests.Response()
    response.raw = HTTPResponse(body=io.BytesIO(b"x" * 5000), preload_content=False)
    with pytest.raises(pubmed._GiveUp, match="larger than"):
        pubmed._load_capped(response)
    small = requests.Response()
    small.raw = HTTPResponse(body=io.BytesIO(b"y" * 900), preload_content=False)
    pubmed._load_capped(small)
    assert small.content == b"y" * 900
