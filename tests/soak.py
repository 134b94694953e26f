"""Sizes of the crash, fuzz and isolation suites: short in `make test`, long in `make soak`."""

import os

SOAK = os.environ.get("SOAK") == "1"
CRASH_ROUNDS = 12 if SOAK else 3
FUZZ_FRAMES = 100_000 if SOAK else 3_000
