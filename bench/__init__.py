"""Benchmarks of digitapp, each printing figures to compare; run from the repository root as
``python -m bench.NAME`` (see docs/benchmarks.md).  Not installed with the app.
"""
