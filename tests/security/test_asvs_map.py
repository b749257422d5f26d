"""The ASVS map (docs/security/asvs.md) stays true to the standard and to the code.

Every Level 1 and 2 requirement of ASVS 5.0 has one row with its level and a
status; a "met" row names evidence that exists (a file, or a test function in
a file); the totals and the closing list of gaps agree with the rows. Rows
tagged ``<!-- i21 -->`` rest on issue 21's work, merged since, and are
checked like the rest, with a test of their own that names only them. No
database: this reads files only.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "security" / "asvs.md"
LEVELS = ROOT / "docs" / "security" / "asvs-5.0.0-levels.csv"

STATUSES = ("met", "n/a", "gap")
I21_TAG = "<!-- i21 -->"
LEVEL_3_HEADING = "## Level 3"
GAPS_HEADING = "## The gaps"
# Evidence is a backticked path under one of these, or one of these files,
# optionally followed by ::test_name. Other backticked words (settings,
# headers, commands) are prose.
EVIDENCE_ROOTS = (
    ".ci/",
    "bench/",
    "deploy/",
    "docs/",
    "fuzz/",
    "haven/",
    "locale/",
    "requirements/",
    "scripts/",
    "static/",
    "templates/",
    "tests/",
)
EVIDENCE_FILES = ("Makefile", "README.md", "conftest.py", "manage.py", "pyproject.toml")
_ROW = re.compile(r"^\|\s*(V\d+(?:\.\d+)+)\s*\|")
_BACKTICKED = re.compile(r"`([^`]+)`")
_PLAN = re.compile(r"\bPlan (G\d+)\b")


@dataclass(frozen=True)
class Row:
    line: int
    id: str
    level: str
    status: str
    evidence: str
    section: str  # "1-2" or "3"
    i21: bool

    def paths(self) -> list[str]:
        return [token for token in _BACKTICKED.findall(self.evidence) if _is_evidence(token)]


def _is_evidence(token: str) -> bool:
    path = token.split("::", 1)[0]
    return path.startswith(EVIDENCE_ROOTS) or path in EVIDENCE_FILES


def official_levels() -> dict[str, str]:
    lines = [line for line in LEVELS.read_text().splitlines() if not line.startswith("#")]
    return {row["id"]: row["level"] for row in csv.DictReader(lines)}


def map_text() -> str:
    return MAP.read_text(encoding="utf-8")


def rows() -> list[Row]:
    found = []
    section = "intro"
    for number, line in enumerate(map_text().splitlines(), start=1):
        if line.startswith("## Levels 1 and 2"):
            section = "1-2"
        elif line.startswith(LEVEL_3_HEADING):
            section = "3"
        elif line.startswith(GAPS_HEADING):
            section = "gaps"
        match = _ROW.match(line)
        if not match:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        status = cells[3] if len(cells) > 3 else ""
        evidence = cells[4] if len(cells) > 4 else ""
        found.append(
            Row(
                line=number,
                id=match.group(1),
                level=cells[1] if len(cells) > 1 else "",
                status=status,
                evidence=evidence,
                section=section,
                i21=I21_TAG in line,
            )
        )
    return found


def missing_evidence(row: Row) -> list[str]:
    """What a met row names that does not exist, or why it names nothing."""
    paths = row.paths()
    if not paths:
        return ["no file or test named"]
    problems = []
    for token in paths:
        path, _, name = token.partition("::")
        target = ROOT / path
        if not target.exists():
            problems.append(f"{path} does not exist")
        elif name and not re.search(
            rf"^\s*(?:async\s+def|def|class)\s+{re.escape(name)}\b",
            target.read_text(encoding="utf-8"),
            re.MULTILINE,
        ):
            problems.append(f"{path} has no {name}")
    return problems


def test_every_level_1_and_2_requirement_has_one_row_with_its_level():
    official = official_levels()
    mapped = {row.id: row.level for row in rows() if row.section == "1-2"}
    wanted = {id_: level for id_, level in official.items() if level in {"1", "2"}}
    assert sorted(set(wanted) - set(mapped)) == [], "requirements missing from the map"
    assert sorted(set(mapped) - set(wanted)) == [], "rows that are not Level 1 or 2 requirements"
    wrong = {id_: (level, wanted[id_]) for id_, level in mapped.items() if level != wanted[id_]}
    assert wrong == {}, "rows whose level differs from the standard's (map, standard)"


def test_the_level_3_rows_are_level_3_requirements():
    official = official_levels()
    level_3 = [row for row in rows() if row.section == "3"]
    assert level_3, "no Level 3 section"
    assert [row.id for row in level_3 if official.get(row.id) != "3" or row.level != "3"] == []


def test_no_requirement_appears_twice():
    counts = Counter(row.id for row in rows())
    assert [id_ for id_, n in counts.items() if n > 1] == []


def test_every_row_has_a_status_and_says_why():
    bad = [
        (row.line, row.id, row.status)
        for row in rows()
        if row.status not in STATUSES or len(row.evidence) < 10
    ]
    assert bad == []


def test_every_met_row_names_evidence_that_exists():
    problems = {
        f"{row.id} (line {row.line})": missing_evidence(row)
        for row in rows()
        if row.status == "met"
    }
    assert {where: found for where, found in problems.items() if found} == {}


def test_every_met_row_built_in_issue_21_names_evidence_that_exists():
    problems = {
        f"{row.id} (line {row.line})": missing_evidence(row)
        for row in rows()
        if row.status == "met" and row.i21
    }
    assert {where: found for where, found in problems.items() if found} == {}


def test_the_checker_catches_a_missing_file_a_missing_test_and_a_bare_row():
    def row(evidence: str) -> Row:
        return Row(1, "V1.1.1", "2", "met", evidence, "1-2", False)

    assert missing_evidence(row("`tests/security/test_asvs_map.py`")) == []
    assert missing_evidence(row("`tests/security/test_asvs_map.py::rows`")) == []
    assert missing_evidence(row("`tests/security/no_such_file.py`")) == [
        "tests/security/no_such_file.py does not exist"
    ]
    assert missing_evidence(row("`tests/security/test_asvs_map.py::test_no_such_test`")) == [
        "tests/security/test_asvs_map.py has no test_no_such_test"
    ]
    assert missing_evidence(row("Django does it (`SESSION_COOKIE_AGE`).")) == [
        "no file or test named"
    ]


def test_every_gap_names_one_plan_and_every_plan_lists_its_gaps():
    text = map_text()
    closing = text[text.index(GAPS_HEADING) :]
    plans = dict(
        re.findall(r"^### (G\d+)\..*?^Closes: ([^\n]*)", closing, re.MULTILINE | re.DOTALL)
    )
    listed = {id_: plan for plan, ids in plans.items() for id_ in re.findall(r"V[\d.]*\d", ids)}
    gaps = {}
    for row in rows():
        named = _PLAN.findall(row.evidence)
        if row.status == "gap":
            assert len(named) == 1, f"{row.id} must name exactly one plan"
            gaps[row.id] = named[0]
        else:
            assert named == [], f"{row.id} is {row.status} but names a plan"
    assert listed == gaps, "the closing list and the gap rows disagree"


def test_the_totals_and_the_count_are_those_of_the_rows():
    official = official_levels()
    text = map_text()
    counted: dict[str, Counter[str]] = {"1": Counter(), "2": Counter(), "3": Counter()}
    for row in rows():
        counted[official[row.id]][row.status] += 1
    both = counted["1"] + counted["2"]
    expected = {"1": counted["1"], "2": counted["2"], "1 and 2": both, "3 (chosen)": counted["3"]}
    for label, counts in expected.items():
        line = (
            f"| {label} | {sum(counts.values())} | {counts['met']} | {counts['n/a']} "
            f"| {counts['gap']} |"
        )
        assert line in text, f"totals line for level {label} should read: {line}"
    assert (
        f"Gaps at Levels 1 and 2: {both['gap']} ({counted['1']['gap']} at Level 1, "
        f"{counted['2']['gap']} at Level 2)." in text
    )
    assert f"Gaps at Level 3: {counted['3']['gap']}." in text
