"""Claims checked per second by ``claimcheck check --offline``: 10,000 claims over 2,000 stored records.

Run from the repository root: python bench/audit.py [--claims N] [--records N] [--files N] [--profile]

Everything is invented here, each run the same (a fixed seed): 2,000 PubMed records (structured
abstracts of about 250 words, journals, dates, authors with affiliations) put into a temporary
record cache, and 20 claims files of 500 claims mixing exact and altered quotes, sentences stating
facts (journal, date, counts, institutions, countries, designs; some wrong on purpose) and wording
prone to overstatement (dropped hedges, relative risks as absolute, causes from associations, mouse
results told of people, protocols told as results).

The offline check is timed two ways, each run in a process of its own so its peak RSS is its own:
  1. the pipeline functions: load_claims_files + obtain_records(client=None) + audit;
  2. the command line: python -m claimcheck check --offline --format json --output FILE,
     one process, and with --jobs N when the command line offers it.
Each one-process figure is the median of --runs runs (3 by default), with claimcheck compiled to bytecode
beforehand as pip compiles an installed package. Target: at least 2,000 claims/s in one process, both
ways (the exit code is 1 when either misses it). When it is missed (or with --profile), the pipeline run
is profiled with cProfile and the hot spots are printed, by function and by module.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._machine import compiled_env, megabytes, print_machine, run_measured, verdict  # noqa: E402
from claimcheck.model import Author  # noqa: E402
from tests.fake_eutils import make_article_xml, pubmed_set_xml  # noqa: E402

Words = dict[str, Any]
"""The invented words and numbers one abstract is written from."""
ClaimKeys = dict[str, Any]
"""A claim as the keys a claims file gives it (text, quote, stated, accept)."""

TARGET_CLAIMS_PER_SECOND = 2000.0
SEED = 20240607
FIRST_PMID = 31_000_001
PROFILE_LINES = 25

# --- invented vocabulary (none of it from any real record) ---------------------------------------

JOURNALS = (
    ("Journal of Applied Movement Science", "J Appl Mov Sci"),
    ("Annals of Community Health Research", "Ann Community Health Res"),
    ("Clinical Rehabilitation Reports", "Clin Rehabil Rep"),
    ("International Journal of Metabolic Care", "Int J Metab Care"),
    ("Northern Review of Pain Medicine", "North Rev Pain Med"),
    ("Archives of Preventive Nutrition", "Arch Prev Nutr"),
    ("Journal of Sleep and Circadian Studies", "J Sleep Circadian Stud"),
    ("European Journal of Primary Care Trials", "Eur J Prim Care Trials"),
    ("Experimental Models of Disease", "Exp Models Dis"),
    ("Respiratory Outcomes Quarterly", "Respir Outcomes Q"),
)
INSTITUTIONS = (
    ("University of Northmere", "Lindhaven", "Norway"),
    ("Eastbrook Medical University", "Calder", "United Kingdom"),
    ("Riverside Institute of Health Sciences", "Portvale", "Canada"),
    ("Karsten University Hospital", "Oldmark", "Denmark"),
    ("Hollis College of Medicine", "Brenton", "United States"),
    ("Monteverde University", "San Alvaro", "Spain"),
    ("Tasman School of Public Health", "Wellbourne", "New Zealand"),
    ("Vandermeer Academic Medical Centre", "Ostwijk", "Netherlands"),
    ("Sakura Medical University", "Minami", "Japan"),
    ("Adler Research Hospital", "Felsburg", "Germany"),
)
DEPARTMENTS = ("Department of Physiotherapy", "Department of Epidemiology", "Department of Internal Medicine",
               "Centre for Clinical Trials", "Department of Nutrition", "Department of Sports Medicine")
LAST_NAMES = ("Halvorsen", "Pemberton", "Okafor", "Lindqvist", "Marchetti", "Duarte", "Whitcombe", "Ashdown",
              "Brannigan", "Castellano", "Delacroix", "Engstrom", "Fairweather", "Grunewald", "Hadley",
              "Ingram", "Jansen", "Kowalczyk", "Larkspur", "Moreau", "Nakamura", "Ostrander", "Quigley",
              "Rasmussen", "Sorensen", "Thackeray", "Underhill", "Villanueva", "Wexford", "Yardley")
FORE_NAMES = ("Anna", "Bjorn", "Clara", "David", "Elin", "Farah", "Gustav", "Hana", "Ivan", "Julia",
              "Kofi", "Lena", "Marco", "Nora", "Oskar", "Priya", "Rafael", "Sofia", "Tomas", "Wen")
CONDITIONS = ("hip osteoarthritis", "knee osteoarthritis", "chronic low back pain", "type 2 diabetes",
              "mild hypertension", "episodic migraine", "chronic insomnia", "stable asthma",
              "fibromyalgia", "non-specific neck pain")
INTERVENTIONS = ("supervised strength training", "a Mediterranean-style diet", "mindfulness training",
                 "vitamin D supplementation", "Nordic walking", "a digital coaching programme",
                 "aquatic exercise", "cognitive behavioural therapy", "high-intensity interval training",
                 "a low-sodium meal service")
COMPARATORS = ("usual care", "a waiting list", "health education", "sham exercise", "placebo tablets")
OUTCOMES = ("pain intensity", "physical function", "quality of life", "fasting glucose", "systolic blood pressure",
            "sleep efficiency", "walking speed", "disability scores", "fatigue", "lung function")
EXPOSURES = ("daily step count", "fibre intake", "time spent outdoors", "weekly leisure activity",
             "sleep duration", "vegetable intake")
EVENTS = ("hospital admission", "falls", "cardiovascular events", "flare-ups", "sick leave", "surgery")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DESIGN_WORDS = {"trial": "randomised controlled trial", "cohort": "prospective cohort study",
                "animal": "study in mice", "protocol": "trial protocol"}


@dataclass(frozen=True)
class Study:
    """An invented record and the facts claims are written from."""

    pmid: str
    kind: str
    title: str
    journal: tuple[str, str]
    year: int
    month: int
    institution: tuple[str, str, str]
    first_author: str
    n: int
    condition: str
    intervention: str
    comparator: str
    outcome: str
    exposure: str
    event: str
    rr: int
    sections: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def sentences(self) -> list[str]:
        """Every sentence of the abstract, in order."""
        return [sentence for _, sentences in self.sections for sentence in sentences]

    @property
    def conclusion(self) -> str:
        """The first sentence of the CONCLUSIONS section."""
        return dict(self.sections)["CONCLUSIONS"][0]


# --- invented records ------------------------------------------------------------------------------


def invent_study(rng: random.Random, pmid: str) -> Study:
    """One invented study: a trial, a cohort, a mouse study or a trial protocol."""
    kind = rng.choices(("trial", "cohort", "animal", "protocol"), weights=(6, 2, 1, 1))[0]
    words = {
        "condition": rng.choice(CONDITIONS), "intervention": rng.choice(INTERVENTIONS),
        "comparator": rng.choice(COMPARATORS), "outcome": rng.choice(OUTCOMES),
        "outcome2": rng.choice(OUTCOMES), "exposure": rng.choice(EXPOSURES), "event": rng.choice(EVENTS),
        "n": rng.randrange(60, 2400), "weeks": rng.choice((8, 12, 16, 24, 26, 52)), "centres": rng.randrange(2, 14),
        "low": rng.randrange(18, 40), "high": rng.randrange(60, 86), "y1": rng.randrange(2008, 2016),
        "rr": rng.randrange(15, 45), "hr": f"0.{rng.randrange(55, 89)}", "ae": rng.randrange(3, 30),
        "x": f"{rng.randrange(4, 19)}.{rng.randrange(10)}", "y": f"{rng.randrange(1, 4)}.{rng.randrange(10)}",
        "p": f"0.0{rng.randrange(1, 5)}", "arr": f"{rng.randrange(1, 6)}.{rng.randrange(10)}",
    }
    words["y2"] = words["y1"] + rng.randrange(2, 6)
    words["completed"] = words["n"] - rng.randrange(3, max(4, words["n"] // 8))
    words["pct"] = f"{100 * words['completed'] / words['n']:.1f}"
    sections = _abstract(kind, words)
    title = _title(kind, words)
    return Study(
        pmid=pmid, kind=kind, title=title, journal=rng.choice(JOURNALS), year=rng.randrange(2012, 2025),
        month=rng.randrange(1, 13), institution=rng.choice(INSTITUTIONS),
        first_author=rng.choice(LAST_NAMES), n=words["n"], condition=words["condition"],
        intervention=words["intervention"], comparator=words["comparator"], outcome=words["outcome"],
        exposure=words["exposure"], event=words["event"], rr=words["rr"], sections=sections,
    )


def _title(kind: str, w: Words) -> str:
    if kind == "cohort":
        return f"{w['exposure'].capitalize()} and the risk of {w['event']} in adults with {w['condition']}: a prospective cohort study."
    if kind == "animal":
        return f"Effects of {w['intervention']} on {w['outcome']} in a mouse model of {w['condition']}."
    if kind == "protocol":
        return f"{w['intervention'].capitalize()} for {w['condition']}: protocol for a randomised controlled trial."
    return f"{w['intervention'].capitalize()} versus {w['comparator']} for {w['condition']}: a randomised controlled trial."


def _abstract(kind: str, w: Words) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A structured abstract of about 250 words, sentence by sentence."""
    background = (
        f"{w['condition'].capitalize()} is common in adults and limits daily activity, work and sleep for many of them.",
        f"Whether {w['intervention']} improves {w['outcome']} in people with {w['condition']} remains uncertain, "
        "because earlier studies were small and short.",
    )
    objective = (f"To assess whether {w['intervention']} improves {w['outcome']} compared with {w['comparator']} "
                 f"over {w['weeks']} weeks in adults with {w['condition']}.",)
    methods, results, conclusions = {
        "trial": _trial, "cohort": _cohort, "animal": _animal, "protocol": _protocol,
    }[kind](w)
    sections = [("BACKGROUND", background), ("OBJECTIVE", objective), ("METHODS", methods)]
    if results:
        sections.append(("RESULTS", results))
    sections.append(("CONCLUSIONS", conclusions))
    return tuple(sections)


def _trial(w: Words) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    methods = (
        f"In this randomised controlled trial at {w['centres']} centres, we enrolled {w['n']} participants aged "
        f"{w['low']} to {w['high']} years between {w['y1']} and {w['y2']}.",
        f"Participants were assigned to {w['intervention']} or {w['comparator']} for {w['weeks']} weeks.",
        f"The primary outcome was the change in {w['outcome']} at {w['weeks']} weeks; secondary outcomes included "
        f"{w['outcome2']} and adverse events.",
        "Analyses followed the intention-to-treat principle.",
    )
    results = (
        f"Of the {w['n']} participants, {w['completed']} ({w['pct']}%) completed follow-up.",
        f"{w['outcome'].capitalize()} improved by {w['x']} points with {w['intervention']} and by {w['y']} points "
        f"with {w['comparator']} (P = {w['p']}).",
        f"The risk of {w['event']} was lower with {w['intervention']} (hazard ratio {w['hr']}), a relative "
        f"reduction of {w['rr']}% and an absolute reduction of {w['arr']} percentage points.",
        f"Higher {w['exposure']} was associated with better {w['outcome2']} in both groups.",
        f"Adverse events were mild and occurred in {w['ae']} participants.",
    )
    conclusions = (
        f"{w['intervention'].capitalize()} may modestly improve {w['outcome']} in adults with {w['condition']}, "
        "although the effect was smaller than expected.",
        "These findings suggest that it could be offered alongside usual care; larger trials are needed.",
    )
    return methods, results, conclusions


def _cohort(w: Words) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    methods = (
        f"In this prospective cohort study, we followed {w['n']} adults with {w['condition']} recruited from "
        f"{w['centres']} general practices between {w['y1']} and {w['y2']}.",
        f"{w['exposure'].capitalize()} was measured at baseline and every six months with validated questionnaires.",
        f"The primary outcome was the first episode of {w['event']}; models were adjusted for age, sex, body mass "
        "index and smoking.",
    )
    results = (
        f"During a median follow-up of {w['weeks'] // 4} months, {w['ae'] * 3} participants had {w['event']}.",
        f"Higher {w['exposure']} was associated with a lower risk of {w['event']} (hazard ratio {w['hr']}; "
        f"P = {w['p']}).",
        f"The association was similar in men and women and in participants older than {w['high'] - 10} years.",
        f"Participants in the highest third of {w['exposure']} also reported better {w['outcome']}.",
    )
    conclusions = (
        f"Higher {w['exposure']} was linked to fewer episodes of {w['event']} in adults with {w['condition']}.",
        "Because the study was observational, these findings do not show that the association is causal, and "
        "trials are needed.",
    )
    return methods, results, conclusions


def _animal(w: Words) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    methods = (
        f"In this study in mice, {w['centres'] * 6} male animals with an induced model of {w['condition']} were "
        f"assigned to {w['intervention']} or a control condition for {w['weeks'] // 2} weeks.",
        f"{w['outcome'].capitalize()} was measured weekly, and tissue samples were examined at the end of the study.",
        "Investigators who scored the outcomes did not know which group each animal belonged to.",
    )
    results = (
        f"Mice given {w['intervention']} showed a {w['rr']}% smaller decline in {w['outcome']} than control mice "
        f"(P = {w['p']}).",
        f"Markers of inflammation fell by {w['x']}% in treated animals, and no treated animal died.",
        f"The effect faded within {w['ae']} days after the treatment was stopped.",
    )
    conclusions = (
        f"{w['intervention'].capitalize()} reduced the decline in {w['outcome']} in a mouse model of {w['condition']}.",
        "Whether these results apply to people is unknown and should be tested in clinical studies.",
    )
    return methods, results, conclusions


def _protocol(w: Words) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    methods = (
        f"This protocol describes a randomised controlled trial that will enrol {w['n']} adults with "
        f"{w['condition']} at {w['centres']} centres.",
        f"Participants will be assigned to {w['intervention']} or {w['comparator']} for {w['weeks']} weeks and "
        f"followed for one year.",
        f"The primary outcome will be {w['outcome']} at {w['weeks']} weeks; secondary outcomes will include "
        f"{w['outcome2']}, {w['event']} and costs.",
        f"The sample size gives 90% power to detect a difference of {w['x']} points at a two-sided alpha of 0.05.",
        "Recruitment is expected to take three years, and a data monitoring committee will review safety.",
    )
    conclusions = (
        f"This trial will show whether {w['intervention']} improves {w['outcome']} in adults with {w['condition']}.",
        "Its results will inform guidelines and the design of services.",
    )
    return methods, (), conclusions


def article_xml(study: Study, rng: random.Random) -> str:
    """The study as a <PubmedArticle>, as PubMed would write it."""
    name, city, country = study.institution
    authors: list[Author] = []
    for index in range(rng.randrange(3, 7)):
        last = study.first_author if index == 0 else rng.choice(LAST_NAMES)
        fore = rng.choice(FORE_NAMES)
        place = study.institution if index < 2 else rng.choice(INSTITUTIONS)
        affiliation = f"{rng.choice(DEPARTMENTS)}, {place[0]}, {place[1]}, {place[2]}."
        authors.append(Author(last_name=last, fore_name=fore, affiliations=(affiliation,)))
    day = rng.randrange(1, 29)
    types = {"trial": ("Journal Article", "Randomized Controlled Trial"), "cohort": ("Journal Article",),
             "animal": ("Journal Article",), "protocol": ("Journal Article", "Clinical Trial Protocol")}[study.kind]
    return make_article_xml(
        study.pmid,
        study.title,
        abstract_sections=[(label, " ".join(sentences)) for label, sentences in study.sections],
        journal=study.journal[0],
        iso_abbreviation=study.journal[1],
        volume=str(rng.randrange(5, 60)),
        issue=str(rng.randrange(1, 13)),
        pages=f"{(start := rng.randrange(100, 900))}-{start + rng.randrange(6, 14)}",
        pub_date=f"{study.year} {MONTHS[study.month - 1][:3]} {day}",
        authors=authors,
        publication_types=types,
        mesh_headings=(study.condition.title(), "Humans" if study.kind != "animal" else "Mice", "Adult"),
        keywords=(study.intervention, study.outcome),
        doi=f"10.5555/bench.{study.pmid}",
    )


# --- invented claims ---------------------------------------------------------------------------------


def claim_kinds(study: Study) -> list[str]:
    """The kinds of claim that can be written about this study."""
    kinds = ["quote-exact", "quote-altered", "quote-cosmetic", "facts", "facts-wrong", "paraphrase",
             "hedge-dropped", "certainty", "text-and-quote"]
    if study.kind == "trial":
        kinds += ["relative-as-absolute", "causal", "number-not-in-source"]
    if study.kind == "cohort":
        kinds += ["causal", "causal"]
    if study.kind == "animal":
        kinds += ["animal-to-human", "animal-to-human"]
    if study.kind == "protocol":
        kinds += ["protocol-as-result", "protocol-as-result"]
    return kinds


def write_claim(kind: str, study: Study, rng: random.Random) -> ClaimKeys:
    """One claim of this kind about this study, as the keys a claims file gives it."""
    if kind == "quote-exact":
        return {"quote": rng.choice(study.sentences)}
    if kind == "quote-altered":
        return {"quote": altered(rng.choice(study.sentences), rng)}
    if kind == "quote-cosmetic":
        return {"quote": rng.choice(study.sentences).replace("randomised", "randomized").replace(";", ",")}
    if kind == "text-and-quote":
        return {"text": "The authors concluded:", "quote": study.conclusion}
    if kind in ("facts", "facts-wrong"):
        return facts_claim(study, rng, wrong=kind == "facts-wrong")
    return {"text": overstated(kind, study, rng)}


def altered(sentence: str, rng: random.Random) -> str:
    """The sentence with one thing changed: a number, a hedge, a direction, or a few words dropped."""
    numbers = list(re.finditer(r"\d+(?:\.\d+)?", sentence))
    choice = rng.randrange(4)
    if choice == 0 and numbers:
        found = rng.choice(numbers)
        return sentence[: found.start()] + str(int(float(found.group())) + 7) + sentence[found.end():]
    if choice == 1 and " may " in sentence:
        return sentence.replace(" may modestly improve ", " improves ").replace(" may ", " will ")
    if choice == 2 and ("lower" in sentence or "better" in sentence):
        return sentence.replace("lower", "higher").replace("better", "worse")
    words = sentence.split()
    if len(words) > 10:
        cut = rng.randrange(3, len(words) - 5)
        return " ".join(words[:cut] + words[cut + 3:])
    return sentence.replace(" and ", " or ", 1)


def facts_claim(study: Study, rng: random.Random, *, wrong: bool) -> ClaimKeys:
    """A sentence stating the study's journal, date, institution, country, size and design."""
    journal, _ = study.journal
    year, month = study.year, study.month
    institution, _, country = study.institution
    n = study.n
    design = DESIGN_WORDS[study.kind]
    if wrong:
        slip = rng.randrange(5)
        journal = rng.choice([name for name, _ in JOURNALS if name != journal]) if slip == 0 else journal
        year = year - rng.randrange(1, 4) if slip == 1 else year
        institution, _, country = rng.choice([i for i in INSTITUTIONS if i[0] != institution]) if slip == 2 else study.institution
        n = n + rng.randrange(11, 90) if slip == 3 else n
        design = "systematic review" if slip == 4 else design
    text = (f"A {design} published in {journal} in {MONTHS[month - 1]} {year} by researchers at {institution} "
            f"in {country} looked at {n} people with {study.condition}.")
    claim: ClaimKeys = {"text": text}
    if rng.random() < 0.5:
        claim["stated"] = {"journal": journal, "date": f"{year}-{month:02d}", "institution": institution,
                           "country": country, "sample_size": n}
    if wrong and rng.random() < 0.2:
        claim["accept"] = {"M201": "the editors name journals in their own house style"}
    return claim


def overstated(kind: str, study: Study, rng: random.Random) -> str:
    """A sentence about the study in wording prone to overstatement (or an accurate paraphrase)."""
    intervention, outcome, condition = study.intervention, study.outcome, study.condition
    texts = {
        "paraphrase": f"The researchers suggest that {intervention} may help {outcome} a little in people with {condition}.",
        "hedge-dropped": f"{intervention.capitalize()} improves {outcome} in adults with {condition}.",
        "certainty": f"This study proves that {intervention} works for {condition}, and there is no doubt about it.",
        "relative-as-absolute": f"{intervention.capitalize()} cut the risk of {study.event} by {study.rr}%.",
        "causal": f"Higher {study.exposure} prevents {study.event} and causes better {outcome} in people with {condition}.",
        "number-not-in-source": f"Fully {rng.randrange(70, 95)}% of the {study.n} patients were cured of {condition}.",
        "animal-to-human": f"{intervention.capitalize()} reverses the decline in {outcome} in people with {condition}.",
        "protocol-as-result": f"The trial showed that {intervention} improves {outcome} in adults with {condition}.",
    }
    return texts[kind]


def citation(study: Study) -> str:
    """The reference-list entry an article would print for the study."""
    return f"{study.first_author} A, et al. {study.title} {study.journal[1]}. {study.year}."


def claims_file_text(number: int, studies: Sequence[Study], claims: int, rng: random.Random) -> str:
    """A claims file citing these studies with this many claims, as an editor would write it."""
    lines = ["# Invented for bench/audit.py; every record and claim here is made up.", "claimcheck: 1", "",
             "article:", f"  title: Invented article number {number}", "", "references:"]
    for label, study in enumerate(studies, start=1):
        lines += [f'  "{label}":', "    citation: >-", *_folded(citation(study), 6), f'    pmid: "{study.pmid}"']
    lines += ["", "claims:"]
    for index in range(claims):
        label = index % len(studies) + 1
        study = studies[label - 1]
        kind = rng.choice(claim_kinds(study))
        claim = write_claim(kind, study, rng)
        lines.append(f"  - id: c{index:04d}-{kind}")
        if index % 40 == 39 and len(studies) > 1:
            other = label % len(studies) + 1
            lines.append(f'    refs: ["{label}", "{other}"]')
        else:
            lines.append(f'    ref: "{label}"')
        lines += _claim_lines(claim)
        lines.append("")
    return "\n".join(lines)


def _claim_lines(claim: ClaimKeys) -> list[str]:
    lines: list[str] = []
    for key in ("text", "quote"):
        if key in claim:
            lines += [f"    {key}: >-", *_folded(claim[key], 6)]
    if "stated" in claim:
        lines.append("    stated:")
        lines += [f"      {key}: {json.dumps(value)}" for key, value in claim["stated"].items()]
    if "accept" in claim:
        lines.append("    accept:")
        lines += [f"      {code}: {json.dumps(reason)}" for code, reason in claim["accept"].items()]
    return lines


def _folded(text: str, indent: int) -> list[str]:
    """A folded block scalar's lines, wrapped at 100 columns as editors keep them."""
    return textwrap.wrap(text, width=100, initial_indent=" " * indent, subsequent_indent=" " * indent,
                         break_long_words=False, break_on_hyphens=False)


# --- building the workload ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """Where the invented claims files and record cache are, and how big they are."""

    claims_dir: Path
    cache_dir: Path
    records: int
    claims: int
    files: int
    abstract_words: float


def build_workload(folder: Path, *, records: int, claims: int, files: int) -> Workload:
    """Invent the records (into a record cache) and the claims files (into ``claims/``)."""
    from claimcheck.store import RecordStore

    rng = random.Random(SEED)
    studies = [invent_study(rng, str(FIRST_PMID + index)) for index in range(records)]
    items = [(study.pmid, pubmed_set_xml([article_xml(study, rng)])) for study in studies]
    cache_dir = folder / "cache"
    with RecordStore(cache_dir=cache_dir) as store:
        store.put_many(items, source="efetch")
    claims_dir = folder / "claims"
    claims_dir.mkdir()
    per_file_records, per_file_claims = records // files, claims // files
    for number in range(files):
        cited = studies[number * per_file_records:(number + 1) * per_file_records]
        text = claims_file_text(number + 1, cited, per_file_claims, rng)
        (claims_dir / f"article-{number + 1:03d}.yaml").write_text(text, encoding="utf-8")
    words = sum(len(" ".join(study.sentences).split()) for study in studies) / len(studies)
    return Workload(claims_dir, cache_dir, records, per_file_claims * files, files, words)


# --- the timed runs ------------------------------------------------------------------------------------


def run_pipeline(claims_dir: Path, cache_dir: Path) -> dict[str, Any]:
    """The offline check through the pipeline functions, stage by stage; figures as a dict."""
    from claimcheck.claims_file import load_claims_files
    from claimcheck.pipeline import audit, obtain_records, open_store, pmids_of

    started, cpu_started = time.perf_counter(), time.process_time()
    claims_files = load_claims_files([claims_dir])
    loaded = time.perf_counter()
    with open_store(claims_files, cache_dir=cache_dir) as store:
        obtained = obtain_records(pmids_of(claims_files), store=store, client=None)
    fetched = time.perf_counter()
    report = audit(claims_files, obtained)
    audited = time.perf_counter()
    statuses = Counter(result.status.value for result in report.results)
    codes = Counter(finding.rule.code for result in report.results for finding in result.findings)
    return {
        "claims": len(report.results), "records": len(obtained.records), "unavailable": len(obtained.unavailable),
        "load": loaded - started, "obtain": fetched - loaded, "audit": audited - fetched, "total": audited - started,
        "cpu": time.process_time() - cpu_started,
        "statuses": dict(sorted(statuses.items())), "codes": dict(sorted(codes.items())),
    }


def time_families(claims_dir: Path, cache_dir: Path) -> dict[str, float]:
    """Seconds spent in each family of checks over every claim and cited record, without a profiler."""
    from claimcheck.checks import metadata, overstatement, quotes, references
    from claimcheck.claims_file import load_claims_files
    from claimcheck.facts import read_facts
    from claimcheck.model import CheckSettings
    from claimcheck.pipeline import obtain_records, open_store, pmids_of

    claims_files = load_claims_files([claims_dir])
    with open_store(claims_files, cache_dir=cache_dir) as store:
        records = obtain_records(pmids_of(claims_files), store=store, client=None).records
    settings = CheckSettings()
    families = {
        "references.check_reference": lambda claim, reference, record: references.check_reference(claim, reference, record),
        "quotes.check_quotes": lambda claim, reference, record: quotes.check_quotes(claim, record, settings),
        "metadata.check_metadata": lambda claim, reference, record: metadata.check_metadata(claim, record, settings),
        "overstatement.check_overstatement":
            lambda claim, reference, record: overstatement.check_overstatement(claim, record, settings),
    }
    seconds: Counter[str] = Counter()
    for claims_file in claims_files:
        for claim in claims_file.claims:
            started = time.perf_counter()
            read_facts(claim)
            seconds["facts.read_facts"] += time.perf_counter() - started
            for key in claim.refs:
                reference = claims_file.reference(key)
                record = records.get(reference.pmid or "") if reference is not None else None
                if reference is None or record is None:
                    continue
                for name, check in families.items():
                    started = time.perf_counter()
                    list(check(claim, reference, record))
                    seconds[name] += time.perf_counter() - started
    return dict(seconds)


def inner(argv: Sequence[str]) -> int:
    """The child process: run the pipeline once (profiled when asked) and print its figures as JSON."""
    claims_dir, cache_dir, profile_path = Path(argv[0]), Path(argv[1]), argv[2] if len(argv) > 2 else ""
    if not profile_path:
        print(json.dumps(run_pipeline(claims_dir, cache_dir)))
        return 0
    profiler = cProfile.Profile()
    figures = profiler.runcall(run_pipeline, claims_dir, cache_dir)
    profiler.dump_stats(profile_path)
    figures["families"] = time_families(claims_dir, cache_dir)
    print(json.dumps(figures))
    return 0


def time_pipeline(workload: Workload, env: dict[str, str], profile_path: str = "") -> tuple[dict[str, Any], int | None]:
    """Run the pipeline in a fresh process; its figures and its peak RSS."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--inner", str(workload.claims_dir), str(workload.cache_dir)]
    if profile_path:
        argv.append(profile_path)
    measured = run_measured(argv, cwd=REPO, env=env)
    if measured.returncode != 0:
        raise RuntimeError(f"the pipeline run failed (exit {measured.returncode}):\n{measured.stderr[-3000:]}")
    return json.loads(measured.stdout.strip().splitlines()[-1]), measured.peak_rss_bytes


def cli_supports_jobs() -> bool:
    """Whether ``claimcheck check`` takes --jobs (read from its --help)."""
    shown = subprocess.run([sys.executable, "-m", "claimcheck", "check", "--help"], capture_output=True, text=True,
                           cwd=REPO, check=False)
    return "--jobs" in shown.stdout


@dataclass(frozen=True)
class CliRun:
    """One run of the command line: wall and CPU seconds, peak RSS, exit code, claims in its JSON report."""

    seconds: float
    cpu: float | None
    peak_rss: int | None
    exit_code: int
    reported: int


def time_cli(workload: Workload, output: Path, jobs: int | None, env: dict[str, str]) -> CliRun:
    """Run the command line once and measure it."""
    argv = [sys.executable, "-m", "claimcheck", "check", "--offline", "--cache-dir", str(workload.cache_dir),
            "--format", "json", "--output", str(output), "--quiet"]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    argv.append(str(workload.claims_dir))
    measured = run_measured(argv, cwd=REPO, env=env)
    if measured.returncode not in (0, 1):  # 1 only says findings were made, which they were meant to be
        raise RuntimeError(f"claimcheck check failed (exit {measured.returncode}):\n{measured.stderr[-3000:]}")
    return CliRun(measured.seconds, measured.cpu_seconds, measured.peak_rss_bytes, measured.returncode,
                  count_report_claims(output))


def count_report_claims(path: Path) -> int:
    """How many claims the JSON report holds (wherever the report keeps them)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document, dict):
        for key in ("claims", "results"):
            if isinstance(document.get(key), list):
                return len(document[key])
        files = document.get("files")
        if isinstance(files, list):
            return sum(len(entry.get("claims", [])) for entry in files if isinstance(entry, dict))
    return -1


# --- the profile -------------------------------------------------------------------------------------

STAGES = (
    ("claimcheck/checks/quotes.py", "quote checks"), ("claimcheck/matching.py", "quote checks"),
    ("claimcheck/text.py", "text reading, shared"), ("claimcheck/checks/metadata.py", "metadata checks"),
    ("claimcheck/facts.py", "facts of claims"), ("claimcheck/checks/overstatement.py", "overstatement checks"),
    ("claimcheck/pipeline.py", "pipeline"), ("claimcheck/claims_file.py", "claims files"),
    ("claimcheck/store.py", "record store"), ("claimcheck/records.py", "PubMed parser"),
    ("claimcheck/checks/references.py", "reference checks"),
    ("ruamel/yaml", "third party (ruamel.yaml, called by claims_file.py)"),
    ("rapidfuzz", "third party (rapidfuzz)"),
)


def stage_of(path: str) -> str:
    """The stage of the check the file a profiled function lives in belongs to."""
    posix = path.replace(os.sep, "/")
    for fragment, stage in STAGES:
        if fragment in posix:
            return stage
    if posix.startswith("~") or "<" in posix:
        return "builtins"
    if posix.endswith("bench/audit.py") or posix == "audit.py":
        return "bench"
    return "stdlib or other"


def short_path(path: str) -> str:
    """The path from the package down (claimcheck/..., ruamel/...), else the file name."""
    posix = path.replace(os.sep, "/")
    for root in ("claimcheck/", "ruamel/", "rapidfuzz/", "xml/", "re/", "sqlite3/"):
        index = posix.rfind("/" + root)
        if index >= 0:
            return posix[index + 1:]
    return posix.rsplit("/", 1)[-1]


def print_profile(profile_path: str, total_seconds: float) -> None:
    """The hot spots: modules by own time, then functions by own time and by cumulative time."""
    stats = pstats.Stats(profile_path)
    entries = stats.stats  # type: ignore[attr-defined]
    by_module: Counter[str] = Counter()
    for (path, _, _), (_, _, own, _, _) in entries.items():
        by_module[short_path(path)] += own
    profiled = sum(by_module.values()) or 1.0
    print(f"\nprofile (cProfile; {profiled:.1f} s of own time profiled, {total_seconds:.1f} s wall under the profiler)")
    print("  by module, own time:")
    for module, own in by_module.most_common(15):
        print(f"    {own:7.2f} s {100 * own / profiled:5.1f}%  {module}  [{stage_of(module)}]")
    for title, column in (("by function, own time", 2), ("by function, cumulative time", 3)):
        print(f"  {title}:")
        ranked = sorted(entries.items(), key=lambda item: item[1][column], reverse=True)
        for (path, line, name), (_, calls, own, cumulative, _) in ranked[:PROFILE_LINES]:
            where = f"{short_path(path)}:{line}({name})"
            print(f"    own {own:6.2f} s  cum {cumulative:6.2f} s  calls {calls:>9,}  {where}  [{stage_of(path)}]")


# --- main ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    """Build the workload, time the pipeline and the command line, print figures and PASS/FAIL."""
    if argv[:1] == ["--inner"]:
        return inner(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="time each one-process run this often; report the median")
    parser.add_argument("--profile", action="store_true", help="profile even when the target is met")
    args = parser.parse_args(argv)
    print_machine()
    with tempfile.TemporaryDirectory(prefix="claimcheck-bench-audit-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        workload = build_workload(folder, records=args.records, claims=args.claims, files=args.files)
        print(f"workload: {workload.claims:,} claims in {workload.files} claims files over {workload.records:,} "
              f"stored records (abstracts {workload.abstract_words:.0f} words on average); "
              f"built in {time.perf_counter() - started:.1f} s (not timed below)")
        env = compiled_env(folder / "bytecode", REPO / "claimcheck")
        print("claimcheck compiled to bytecode beforehand, as pip compiles an installed package; "
              f"each one-process figure is the median of {args.runs} runs")
        pipeline_rate, figures = report_pipeline(workload, env, args.runs)
        cli_rate = report_cli(workload, folder, env, args.runs)
        passed = pipeline_rate >= TARGET_CLAIMS_PER_SECOND and cli_rate >= TARGET_CLAIMS_PER_SECOND
        print(f"\ntarget: >= {TARGET_CLAIMS_PER_SECOND:,.0f} claims/s in one process")
        print(f"  {verdict(pipeline_rate >= TARGET_CLAIMS_PER_SECOND)}  pipeline functions: {pipeline_rate:,.0f} claims/s")
        print(f"  {verdict(cli_rate >= TARGET_CLAIMS_PER_SECOND)}  command line, end to end: {cli_rate:,.0f} claims/s")
        if not passed or args.profile:
            profile_path = str(folder / "audit.prof")
            profiled, _ = time_pipeline(workload, env, profile_path)
            print_profile(profile_path, profiled["total"])
            print_families(profiled["families"], workload.claims, figures)
    return 0 if passed else 1


def print_families(seconds: dict[str, float], claims: int, figures: dict[str, Any]) -> None:
    """Where one claim's time goes, family by family, measured without the profiler."""
    print("\ntime per claim by stage and check family (no profiler; a claim citing two records is checked twice):")
    stages = {"load_claims_files (claims_file.py, ruamel.yaml)": figures["load"],
              "obtain_records, offline (store.py, records.py)": figures["obtain"]}
    for name, spent in [*stages.items(), *sorted(seconds.items(), key=lambda item: -item[1])]:
        print(f"  {1000 * spent / claims:7.3f} ms/claim  {spent:6.2f} s  {name}")
    budget = 1000 / TARGET_CLAIMS_PER_SECOND
    print(f"  budget at {TARGET_CLAIMS_PER_SECOND:,.0f} claims/s: {budget:.3f} ms/claim for everything")


def report_pipeline(workload: Workload, env: dict[str, str], runs: int) -> tuple[float, dict[str, Any]]:
    """Time the pipeline functions ``runs`` times and print the median run; its claims per second and figures."""
    timed = [time_pipeline(workload, env) for _ in range(runs)]
    totals = [figures["total"] for figures, _ in timed]
    figures, peak_rss = sorted(timed, key=lambda run: run[0]["total"])[len(timed) // 2]
    claims, total = figures["claims"], statistics.median(totals)
    rate = claims / total
    print("\npipeline functions, one process (load_claims_files + obtain_records(client=None) + audit):")
    print(f"  {claims:,} claims, {figures['records']:,} records, {figures['unavailable']} unavailable")
    print(f"  median run: load {figures['load']:.2f} s, obtain {figures['obtain']:.2f} s, audit {figures['audit']:.2f} s; "
          f"total {total:.2f} s = {rate:,.0f} claims/s; peak RSS {megabytes(peak_rss)}")
    print(f"  all runs: {seconds_range(totals)}")
    print(f"  CPU time {figures['cpu']:.2f} s = {claims / figures['cpu']:,.0f} claims per CPU second")
    print(f"  statuses: {figures['statuses']}")
    print(f"  findings by code: {figures['codes']}")
    return rate, figures


def report_cli(workload: Workload, folder: Path, env: dict[str, str], runs: int) -> float:
    """Time the command line in one process (``runs`` times) and with --jobs; return the one-process claims/s."""
    print("\ncommand line (python -m claimcheck check --offline --format json --output FILE), wall clock with start-up:")
    timed = [time_cli(workload, folder / "report-1.json", None, env) for _ in range(runs)]
    run = sorted(timed, key=lambda item: item.seconds)[len(timed) // 2]
    seconds = statistics.median(item.seconds for item in timed)
    rate = workload.claims / seconds
    print(f"  one process, median run: {seconds:.2f} s = {rate:,.0f} claims/s ({cpu_text(run.cpu)}); "
          f"peak RSS {megabytes(run.peak_rss)}; exit {run.exit_code}; {run.reported:,} claims in the report")
    print(f"  all runs: {seconds_range([item.seconds for item in timed])}")
    if not cli_supports_jobs():
        print("  --jobs: not available")
        return rate
    for jobs in sorted({2, os.cpu_count() or 1}):
        run = time_cli(workload, folder / f"report-{jobs}.json", jobs, env)
        print(f"  --jobs {jobs}: {run.seconds:.2f} s = {workload.claims / run.seconds:,.0f} claims/s ({cpu_text(run.cpu)}, "
              f"all processes); peak RSS {megabytes(run.peak_rss)} (the largest single process, main or worker); "
              f"exit {run.exit_code}; {run.reported:,} claims in the report")
    return rate


def seconds_range(values: list[float]) -> str:
    """Every run's seconds, fastest first: "5.01 s, 5.10 s, 5.32 s"."""
    return ", ".join(f"{value:.2f} s" for value in sorted(values))


def cpu_text(cpu: float | None) -> str:
    """CPU seconds as "CPU 12.3 s", or "CPU n/a"."""
    return "CPU n/a" if cpu is None else f"CPU {cpu:.2f} s"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
