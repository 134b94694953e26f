"""`python -m bench [all|fanout|chat|reconnect|memory|replay|page|dashboard|classroom|ramp|scaleout] [options]`:
run benchmarks, print a Markdown table, keep the figures in bench/results/ (docs/performance.md).

`all` runs the load scenarios against every peer, then the replay benchmark.
"""

from __future__ import annotations

import argparse
import sys

# Each benchmark's module is imported when it runs (below): the page benchmark's Playwright and
# the replay's exercise cost a load benchmark's start nothing.


def run_replay(argv: list[str]) -> int:
    from . import replay

    parser = argparse.ArgumentParser(prog="python -m bench replay", description=__doc__)
    sub = parser.add_subparsers(dest="bench", required=True)
    replay.add_arguments(sub.add_parser("replay", help="replay figures on a generated long exercise log"))
    args = parser.parse_args(["replay", *argv])
    return args.run(args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["replay"]:
        return run_replay(argv[1:])
    if argv[:1] == ["page"]:
        from . import page

        return page.main(argv[1:])
    if argv[:1] == ["dashboard"]:
        from . import dashboard

        return dashboard.main(argv[1:])
    if argv[:1] == ["classroom"]:
        from . import classroom

        return classroom.main(argv[1:])
    if argv[:1] == ["ramp"]:
        from . import ramp

        return ramp.main(argv[1:])
    if argv[:1] == ["scaleout"]:
        from . import scaleout

        return scaleout.main(argv[1:])
    from . import load

    status = load.main(argv)
    if (not argv or argv[0] == "all") and "--quick" not in argv and status == 0:
        status = run_replay(["--no-save"] if "--no-save" in argv else [])
    return status


if __name__ == "__main__":
    sys.exit(main())
