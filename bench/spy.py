"""py-spy on a server process for one phase: raw collapsed stacks and a short summary."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


class Profiler:
    """py-spy sampling one server process for one phase (raw collapsed stacks + a summary)."""

    def __init__(self, directory: Path | None, pid: int, name: str) -> None:
        self.proc: subprocess.Popen | None = None
        if directory is None:
            return
        pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{name}.txt"
        self.proc = subprocess.Popen(
            [
                pyspy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "250",
                "--format",
                "raw",
                "--output",
                str(self.path),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # attached before the phase starts

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.path.exists():
            self.path.with_suffix(".summary.txt").write_text(summarize(self.path))


def summarize(path: Path, top: int = 30) -> str:
    """Self and inclusive share of samples per function, from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n
    out = [f"{total} samples\n", "self%   function"]
    out += [f"{100 * n / total:5.1f}  {f}" for f, n in sorted(own.items(), key=lambda x: -x[1])[:top]]
    out += ["", "incl%   function"]
    out += [f"{100 * n / total:5.1f}  {f}" for f, n in sorted(incl.items(), key=lambda x: -x[1])[:top]]
    return "\n".join(out) + "\n"
