"""The `exercise-server` command: validate scenarios, serve exercises, import and export MSELs."""

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
            for warning in checked.scenario.missing_translations:  # listed; the scenario still loads
                print(f"{path}:{warning.line}: warning: {warning.message}")
    return status


def cmd_serve(args: argparse.Namespace) -> int:
    from .server.run import serve
    from .server.settings import Settings

    return serve(Settings.from_args(args))


def cmd_msel_import(args: argparse.Namespace) -> int:
    from .i18n import catalogues
    from .msel.files import write_text_atomically
    from .msel.importer import build_scenario, load_base
    from .msel.problems import MselError, worded
    from .msel.template import template_base

    if args.language and args.language not in catalogues().languages:
        print(f"--language must be one of {', '.join(catalogues().languages)}", file=sys.stderr)
        return 2
    out = Path(args.output)
    try:
        base = load_base(args.into) if args.into else template_base()
        result = build_scenario(
            args.file,
            base,
            out,
            scenario_id=args.id,
            title=args.title or (None if args.into else out.stem.replace("-", " ").capitalize()),
            duration=args.duration,
        )
    except MselError as exc:
        words = catalogues().get(args.language)
        for warning in exc.warnings:
            print(f"{exc.source}: {worded(warning, words)}", file=sys.stderr)
        for problem in exc.problems:
            print(f"{exc.source}: {problem.line(words)}")
        rows = {p.row for p in exc.problems if p.row is not None}
        counted = (
            words.ngettext("%(num)d row with problems", "%(num)d rows with problems", len(rows))
            if rows
            else words.gettext("problems")
        )
        nothing = words.gettext("%(counted)s; nothing written", counted=counted)
        print(f"{exc.source}: {nothing}", file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"{Path(args.file).name}: {worded(warning, catalogues().get(args.language))}", file=sys.stderr)
    write_text_atomically(out, result.text)
    print(f"wrote {out}: ok, {summary(result.scenario)}")
    return 0


def cmd_msel_export(args: argparse.Namespace) -> int:
    from .msel.exporter import export_msel, write_csv
    from .msel.problems import MselError

    checked = check_file(Path(args.scenario))
    if checked.scenario is None:
        for problem in checked.problems:
            print(f"{args.scenario}:{problem.line}: {problem.message}")
        return 1
    if not args.output:
        write_csv(checked.scenario, sys.stdout)
        return 0
    try:
        export_msel(checked.scenario, args.output)
    except MselError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {len(checked.scenario.injects)} injects of {checked.scenario.id}")
    return 0


def add_msel_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("msel", help="import or export an MSEL spreadsheet (.csv, .xlsx)")
    msel = p.add_subparsers(dest="msel_command", required=True)

    p = msel.add_parser(
        "import",
        help="build a scenario from an MSEL spreadsheet; writes nothing if a row is wrong",
        description="Read FILE's MSEL rows, take everything else from --into BASE (or the course "
        "template), validate, and write OUTPUT. Columns: docs/scenario-format.md.",
    )
    p.add_argument("file", help="the spreadsheet: .csv or .xlsx")
    p.add_argument("-o", "--output", required=True, help="the scenario file to write, e.g. injects/new.yaml")
    base = p.add_mutually_exclusive_group(required=True)
    base.add_argument(
        "--into", metavar="BASE", help="take setting, teams, rooms and COP from this scenario and replace its MSEL"
    )
    base.add_argument(
        "--template",
        action="store_true",
        help="start from the course template (four components, one syndicate: mil-1, pol-1, hum-1, civ-1)",
    )
    p.add_argument("--id", help="scenario id of the new file (default: the output file's name)")
    p.add_argument("--title", help="scenario title (default: the base's, or from the output file's name)")
    p.add_argument(
        "--duration",
        metavar="H:MM",
        help="the exercise's duration (default: the base's, extended with a warning if the MSEL runs past it; "
        "with --template, the last timed inject plus ten minutes)",
    )
    p.add_argument(
        "--language",
        help="the language of the rows' problems (a catalogue of exercise_server/locale/, e.g. fr; default en)",
    )
    p.set_defaults(func=cmd_msel_import)

    p = msel.add_parser("export", help="write a scenario's MSEL to .csv or .xlsx (re-importable unchanged)")
    p.add_argument("scenario", help="a scenario file, e.g. injects/demo.yaml")
    p.add_argument("-o", "--output", help="FILE.csv or FILE.xlsx (format by extension; default: CSV on stdout)")
    p.set_defaults(func=cmd_msel_export)


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

    add_msel_commands(sub)
    from .cli_evaluation import add_subcommands as add_evaluation_commands

    add_evaluation_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
