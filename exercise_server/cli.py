"""The `exercise-server` command: validate scenarios, serve exercises."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .scenarios import check_file, scenario_files, summary


def cmd_validate(args: argparse.Namespace) -> int:
    files = scenario_files(args.paths)
    if not files:
        print("no scenario files found", file=sys.stderr)
        return 1
    status = 0
    for path in files:
        checked = check_file(path)
        if checked.problems:
            status = 1
            for problem in checked.problems:
                print(f"{path}:{problem.line}: {problem.message}")
        else:
            assert checked.scenario is not None
            print(f"{path}: ok, {summary(checked.scenario)}")
    return status


def cmd_serve(args: argparse.Namespace) -> int:
    from .server.settings import Settings
    from .server.run import serve

    settings = Settings.from_args(args)
    if settings.redis_url:
        print("exercise-server serve: --redis-url: the Redis event store and bus are not built yet; "
              "run without it for the embedded store", file=sys.stderr)
        return 2
    return serve(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exercise-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check scenario files; print file:line: problems")
    p.add_argument("paths", nargs="+", help="scenario files or folders of them")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("serve", help="run the server")
    from .server.settings import add_serve_arguments
    add_serve_arguments(p)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
