"""Sizes of the crash, fuzz, isolation and classroom suites: short in `make test`, long in `make soak`."""

import os

SOAK = os.environ.get("SOAK") == "1"
CRASH_ROUNDS = 12 if SOAK else 3
FUZZ_FRAMES = 100_000 if SOAK else 1_500
# The accelerated classroom day (tests/test_classroom_soak.py), in wall seconds; CLASSROOM_SECONDS overrides.
CLASSROOM_SECONDS = float(os.environ.get("CLASSROOM_SECONDS") or (600 if SOAK else 12))
