"""`exercise-server export | import | report`: an exercise's log out and in, and its after-action report.

They read the store directly (the same data directory the server uses), so they work with
the server stopped, or running: SQLite lets them read beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from .core import events as ev
from .core.clock import ENDED
from .core.in_language import log_in, scenario_languages
from .export import FORMATS, LogImportError, import_log, read_jsonl, write_csv, write_jsonl
from .server.settings import add_store_arguments
from .store.base import EventStore, StoreUnavailable, open_store


def add_subcommands(sub: Any) -> None:
    """Add `export`, `import` and `report` to the `exercise-server` command's subparsers."""
    p = sub.add_parser("export", help="write an exercise's event log as JSON Lines or CSV")
    p.add_argument("exercise", help="the exercise id")
    add_store_arguments(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="jsonl: lossless, for import elsewhere (default); csv: for spreadsheets",
    )
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument("--language", help="csv: the scenario content in this language of the scenario's (jsonl keeps all)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="add an exported JSON Lines log to this data directory")
    p.add_argument("file", help="the .jsonl file written by export")
    add_store_arguments(p)
    p.add_argument("--as", dest="as_id", metavar="NEW_ID", help="store it under another exercise id")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("report", help="write an exercise's after-action report (self-contained HTML, or PDF)")
    p.add_argument("exercise", help="the exercise id")
    add_store_arguments(p)
    p.add_argument("-o", "--output", help="file to write (default: EXERCISE-report.html, or .pdf)")
    p.add_argument("--pdf", action="store_true", help="print it to PDF with Chromium (found on PATH, or $CHROMIUM)")
    p.add_argument(
        "--with",
        dest="peers",
        nargs="+",
        default=[],
        metavar="EXERCISE",
        help="the class's other syndicates (exercise ids), compared side by side",
    )
    p.add_argument(
        "--language",
        default="en",
        help="the report's language: its interface (a catalogue of exercise_server/locale/), and the scenario "
        "content too where the scenario declares that language (else its default language)",
    )
    p.set_defaults(func=cmd_report)


def _where(args: argparse.Namespace) -> str:
    return f"Redis {args.redis_url} ({args.redis_prefix})" if args.redis_url else str(args.data_dir)


def cmd_export(args: argparse.Namespace) -> int:
    if args.language and args.format == "jsonl":
        return _fail("--language is for --format csv: JSON Lines keeps the content in every language, losslessly")

    async def run(store: EventStore) -> int:
        events = await _log(store, args)
        if args.language:
            languages, _ = scenario_languages(events)
            if args.language not in languages:
                raise _Refused(f"the scenario's content is in {', '.join(languages)}, not {args.language!r}")
            events = log_in(events, args.language)
        writer = write_jsonl if args.format == "jsonl" else write_csv
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = writer(events, out)
            print(f"{args.exercise}: {n} events written to {args.output}", file=sys.stderr)
        else:
            try:
                writer(events, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:  # `export ... | head`: the reader has had enough; not an error
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0

    return _with_store(args, run, must_exist=True)


def cmd_import(args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8") as f:
            events = read_jsonl(f, args.file)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.file}: {exc}")
    except LogImportError as exc:
        return _fail(str(exc))

    async def run(store: EventStore) -> int:
        exercise = await import_log(store, events, args.as_id)
        print(f"{exercise}: {len(events)} events imported into {_where(args)}", file=sys.stderr)
        if not any(e.type == ev.EXERCISE_ENDED for e in events):
            print(
                f"note: {exercise} had not ended ({ENDED} is not in the log): a server on this data "
                "directory runs it on, and its clock has moved on meanwhile",
                file=sys.stderr,
            )
        return 0

    return _with_store(args, run, must_exist=False)


def cmd_report(args: argparse.Namespace) -> int:
    from .i18n import catalogues
    from .report import render
    from .report_pdf import PdfError, print_pdf

    async def run(store: EventStore) -> int:
        events = await _log(store, args)
        output = args.output or f"{args.exercise}-report.{'pdf' if args.pdf else 'html'}"
        if args.language not in catalogues().languages:
            raise _Refused(f"--language must be one of {', '.join(catalogues().languages)}")
        peers = [await _log(store, argparse.Namespace(**{**vars(args), "exercise": peer})) for peer in args.peers]
        html = render(events, language=args.language, peers=peers)
        if args.pdf:
            try:
                print_pdf(html, Path(output))
            except PdfError as exc:
                raise _Refused(str(exc)) from exc
        else:
            Path(output).write_text(html, encoding="utf-8")
        print(f"{args.exercise}: after-action report written to {output}", file=sys.stderr)
        return 0

    return _with_store(args, run, must_exist=True)


class _Refused(Exception):
    pass


async def _log(store: EventStore, args: argparse.Namespace) -> list[ev.Event]:
    events = await store.read(args.exercise)
    if not events:
        known = ", ".join(await store.exercises()) or "none"
        raise _Refused(f"no exercise {args.exercise!r} in {_where(args)} (exercises there: {known})")
    return events


def _with_store(
    args: argparse.Namespace, run: Callable[[EventStore], Coroutine[Any, Any, int]], must_exist: bool
) -> int:
    if must_exist and not args.redis_url and not (Path(args.data_dir) / "events.sqlite3").is_file():
        return _fail(f"no event log in {args.data_dir} (give the server's --data-dir, or its --redis-url)")

    async def main() -> int:
        store = open_store(args.data_dir, args.redis_url, args.redis_prefix)
        try:
            return await run(store)
        finally:
            await store.close()

    try:
        return asyncio.run(main())
    except (_Refused, LogImportError) as exc:
        return _fail(str(exc))
    except StoreUnavailable as exc:
        return _fail(f"cannot reach {_where(args)}: {exc}")


def _fail(message: str) -> int:
    print(f"exercise-server: {message}", file=sys.stderr)
    return 1
