"""Benchmarks of digitapp, each printing figures to compare; run from the repository root as
``python -m bench.NAME`` (see README's Benchmarks).  Not installed with the app.
"""
