"""`python -m bench NAME`: run one benchmark, print a Markdown table, keep the figures in bench/results/."""

from __future__ import annotations

import argparse
import sys

from . import replay


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="bench", required=True)
    replay.add_arguments(sub.add_parser("replay", help="replay figures on a generated long exercise log"))
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
