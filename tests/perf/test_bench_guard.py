"""The bench runs only on its own throwaway database (bench/timing.py)."""

from __future__ import annotations

import pytest

from bench.timing import ROOT, bench_only


@pytest.fixture
def bench_env(monkeypatch):
    for name in ("DATABASE_URL", "DATABASE_URL_FILE", "HAVEN_ENV", "HAVEN_VAR_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def refused(capsys, var_dir=None) -> str:
    with pytest.raises(SystemExit) as stopped:
        bench_only(var_dir)
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_a_bench_folder_is_accepted(bench_env):
    assert bench_only() == (ROOT / "var" / "bench").resolve()
    assert bench_only(ROOT / "var" / "bench-quick") == (ROOT / "var" / "bench-quick").resolve()


def test_the_sites_own_database_is_refused(bench_env, capsys):
    assert "not a folder var/bench*" in refused(capsys, ROOT / "var")
    assert "not a folder var/bench*" in refused(capsys, ROOT.parent / "bench")
    bench_env.setenv("HAVEN_VAR_DIR", str(ROOT / "var"))
    assert "HAVEN_VAR_DIR is" in refused(capsys)


def test_a_database_url_or_production_is_refused(bench_env, capsys):
    bench_env.setenv("DATABASE_URL", "postgres://somewhere/haven")
    assert "DATABASE_URL is set" in refused(capsys, ROOT / "var" / "bench")
    bench_env.delenv("DATABASE_URL")
    bench_env.setenv("HAVEN_ENV", "production")
    assert "HAVEN_ENV=production" in refused(capsys, ROOT / "var" / "bench")
