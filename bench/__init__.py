"""Benchmarks (see docs/performance.md). Run them with ``civique bench``."""
