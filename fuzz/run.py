"""Run the harnesses under atheris and report, per parser, the executions,
their rate, the coverage and the crashes: `python -m fuzz.run` (`make fuzz`).

Each harness runs in its own process (two at a time by default: the machine
has two cores), from its seeds in fuzz/corpus/<parser>/ and the inputs
earlier runs found, kept in var/fuzz/corpus/<parser>/. An input that raises
what the parser does not document, runs out of memory or takes longer than
the time limit is written to var/fuzz/crashes/<parser>/ and stops that
parser's run; the command then exits non-zero. The figures go to standard
output and, as JSON and as a Markdown table, to var/fuzz/report.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fuzz.common import CORPUS, ROOT, VAR

# Parser -> the longest input tried. Larger inputs only slow each execution:
# the seeds show the formats within these sizes.
HARNESSES = {
    "hsds_import": 16384,
    "attachment_types": 8192,
    "export_verifier": 32768,
    "name_forms": 512,
}
SECONDS_PER_INPUT = 20  # longer is a hang
MEMORY_MB = 2048
# libFuzzer's exit status when it was interrupted (Ctrl+C): a run cut short, not a crash.
INTERRUPTED = 72

_STAT = re.compile(r"^stat::(\w+):\s*(\d+)", re.MULTILINE)
_COVERAGE = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)", re.MULTILINE)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


@dataclass
class Result:
    parser: str
    runs_asked: int
    executions: int = 0
    seconds: float = 0.0
    execs_per_second: int = 0
    coverage_edges: int = 0
    coverage_features: int = 0
    corpus_inputs: int = 0
    crashes: int = 0
    crash_files: list[str] = field(default_factory=list)
    exit_code: int = 0
    interrupted: bool = False


def command(
    parser: str, runs: int, work: Path, crashes: Path, seconds: int | None = None
) -> list[str]:
    budget = [f"-max_total_time={seconds}"] if seconds else []
    return [
        sys.executable,
        "-m",
        f"fuzz.{parser}",
        f"-runs={runs}",
        f"-max_len={HARNESSES[parser]}",
        f"-timeout={SECONDS_PER_INPUT}",
        f"-rss_limit_mb={MEMORY_MB}",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
        *budget,
        # New inputs go to the first folder; the seeds are only read.
        str(work),
        str(CORPUS / parser),
    ]


def parse(result: Result, output: str) -> Result:
    """The figures of libFuzzer's output (its final stats and last status line)."""
    stats = {name: int(value) for name, value in _STAT.findall(output)}
    result.executions = stats.get("number_of_executed_units", 0)
    statuses = _COVERAGE.findall(output)
    if statuses:
        last, edges, features, inputs = (int(v) for v in statuses[-1])
        result.executions = max(result.executions, last)
        result.coverage_edges, result.coverage_features = edges, features
        result.corpus_inputs = inputs
    result.crash_files = _ARTIFACT.findall(output)
    result.crashes = len(result.crash_files)
    result.interrupted = result.exit_code == INTERRUPTED and not result.crashes
    if result.exit_code not in (0, INTERRUPTED) and not result.crashes:
        result.crashes = 1  # the harness failed before it could write the input
    if result.seconds:
        result.execs_per_second = round(result.executions / result.seconds)
    return result


def run_harness(parser: str, runs: int, folder: Path = VAR, seconds: int | None = None) -> Result:
    work, crashes = folder / "corpus" / parser, folder / "crashes" / parser
    work.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    log = folder / f"{parser}.log"
    began = time.monotonic()
    with log.open("w") as out:
        finished = subprocess.run(  # noqa: S603 (this interpreter and the project's harness)
            command(parser, runs, work, crashes, seconds),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    result = Result(parser=parser, runs_asked=runs, exit_code=finished.returncode)
    result.seconds = round(time.monotonic() - began, 1)
    return parse(result, log.read_text(errors="replace"))


def run_all(
    parsers: list[str], runs: int, jobs: int, folder: Path = VAR, seconds: int | None = None
) -> list[Result]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda p: run_harness(p, runs, folder, seconds), parsers))


def machine() -> dict[str, str | int]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else ""
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def markdown(results: list[Result]) -> str:
    lines = [
        "| parser | executions | seconds | execs/s | coverage (edges / features) | crashes |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.parser} | {r.executions:,} | {r.seconds:,.0f} | {r.execs_per_second:,} "
            f"| {r.coverage_edges:,} / {r.coverage_features:,} | {r.crashes} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000, help="executions per parser")
    parser.add_argument("--jobs", type=int, default=2, help="parsers fuzzed at once")
    parser.add_argument(
        "--seconds", type=int, default=None, help="stop each parser after this long (no limit)"
    )
    parser.add_argument("parsers", nargs="*", help=f"some of {', '.join(HARNESSES)} (all)")
    args = parser.parse_args(argv)
    unknown = set(args.parsers) - set(HARNESSES)
    if unknown:
        parser.error(f"no harness named {', '.join(sorted(unknown))}")
    started = datetime.now(UTC)
    results = run_all(args.parsers or list(HARNESSES), args.runs, args.jobs, seconds=args.seconds)
    VAR.mkdir(parents=True, exist_ok=True)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "results": [asdict(r) for r in results],
    }
    (VAR / "report.json").write_text(json.dumps(report, indent=1))
    (VAR / "report.md").write_text(markdown(results))
    print(markdown(results), end="")
    failed = [r for r in results if r.crashes or r.executions < r.runs_asked]
    for r in failed:
        print(
            f"{r.parser}: {r.crashes} crash(es), {r.executions} of {r.runs_asked} runs; "
            f"inputs: {', '.join(r.crash_files) or f'see var/fuzz/{r.parser}.log'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
