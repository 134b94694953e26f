"""Benchmarks: speed measured against a baseline taken in the same run, never in tests."""
