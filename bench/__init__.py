"""Benchmarks and the load test: measurements, not tests (docs/benchmarks.md)."""
