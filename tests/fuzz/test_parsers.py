"""A short run of every fuzzing harness (fuzz/): a few thousand inputs to
each parser of outside files, coverage-guided by atheris as in `make fuzz`,
and not one crash. The long run is `make fuzz` (docs/security/fuzzing.md)."""

from __future__ import annotations

import json
import zipfile

from fuzz import run
from fuzz.common import CORPUS

RUNS = 2000


def test_every_parser_takes_thousands_of_fuzzed_inputs_without_a_crash(tmp_path):
    # One test for all four, so that parallel workers never run them twice.
    results = run.run_all(list(run.HARNESSES), RUNS, jobs=2, folder=tmp_path)
    for result in results:
        assert result.crashes == 0, result
        assert result.executions >= RUNS, result
        assert result.coverage_edges > 0, result


# The end of libFuzzer's output when a harness raised (abridged from a real one).
CRASHED = """\
#4669	NEW    cov: 867 ft: 2674 corp: 163/1508Kb lim: 20531 exec/s: 222 rss: 111Mb L: 3290/20531

 === Uncaught Python exception: ===
IndexError: string index out of range
==27202== ERROR: libFuzzer: fuzz target exited
artifact_prefix='var/fuzz/crashes/x/'; Test unit written to var/fuzz/crashes/x/crash-b0cf
stat::number_of_executed_units: 4670
stat::average_exec_per_sec:     222
"""


def test_a_crash_is_counted_with_the_input_that_caused_it():
    result = run.parse(run.Result("hsds_import", 1000, exit_code=1, seconds=21.0), CRASHED)
    assert (result.executions, result.crashes, result.coverage_edges) == (4670, 1, 867)
    assert result.crash_files == ["var/fuzz/crashes/x/crash-b0cf"]
    assert result.execs_per_second == 222


def test_a_harness_that_fails_without_writing_an_input_is_a_crash_too():
    result = run.parse(run.Result("name_forms", 1000, exit_code=1), "Traceback (most recent...")
    assert (result.executions, result.crashes) == (0, 1)


def test_the_seeds_are_what_their_parsers_accept():
    """The seeds are valid inputs (mutations of them reach past the first
    refusal): Haven's own export verifies, the directory files are HSDS."""
    from haven.exports import verifier

    for bundle in (CORPUS / "export_verifier").glob("*.zip"):
        assert len(verifier.verify(str(bundle))) == 64, bundle
    known = json.loads((CORPUS / "hsds_import" / "known.json").read_bytes())
    assert {"id", "name", "services"} <= set(known[1]) | set(known[0])
    with zipfile.ZipFile(CORPUS / "hsds_import" / "directory-tabular.zip") as archive:
        assert "organizations.csv" in archive.namelist()


def test_a_run_cut_short_is_no_crash_but_falls_short_of_its_runs():
    output = "#9000\tDONE   cov: 80 ft: 200 corp: 30/1Kb\nstat::number_of_executed_units: 9000\n"
    result = run.parse(run.Result("name_forms", 1_000_000, exit_code=run.INTERRUPTED), output)
    assert (result.executions, result.crashes, result.interrupted) == (9000, 0, True)
