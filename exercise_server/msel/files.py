"""Writing what an import or export makes: scenario YAML as people write it, and files replaced
atomically."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .cells import OFFSET


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml's emitter when installed
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else '"' if OFFSET.match(value) or value.startswith("D+") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(
        isinstance(v, (int, float)) or (isinstance(v, str) and len(v) < 40 and not re.search(r"\s", v)) for v in value
    )
    nested = value and all(isinstance(v, list) and all(isinstance(x, (int, float, list)) for x in v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=bool(flat or nested))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write beside `path`, then rename over it: a reader never sees half a file, a failure leaves none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    # Created as any new file is (0666 less the umask), unlike mkstemp's private 0600.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(tmp)
        if path.exists():  # a replaced file keeps its mode
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
