"""Progress for long work: on stderr, and only when stderr is a terminal.

Every command whose work can take more than a moment uses these two helpers, so that nothing runs
for minutes in silence at a terminal while pipes, files and tests see no extra output.

- :func:`progress` wraps an iterable of known length (a tqdm bar on a terminal);
- :func:`phase` is a context manager that prints one line when a named phase starts and, if it
  took longer than a second, how long it took.

``quiet=True`` silences both (``--quiet`` on the commands that offer it).

Examples
--------
>>> list(progress(range(3), total=3, desc="demo"))   # stderr is not a terminal under doctest
[0, 1, 2]
>>> with phase("demo"):
...     pass
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterable

__all__ = ["progress", "phase", "on_terminal"]


def on_terminal() -> bool:
    """Whether progress should be shown: stderr is an interactive terminal."""
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):      # closed or replaced stderr
        return False


def progress(iterable: Iterable, total: int | None = None, desc: str = "", quiet: bool = False):
    """``iterable`` with a progress bar on stderr when it is a terminal (and not ``quiet``)."""
    if quiet or not on_terminal():
        return iterable
    from tqdm import tqdm
    return tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False)


@contextmanager
def phase(what: str, quiet: bool = False):
    """Say on stderr (terminal only) that ``what`` is running, and how long it took if > 1 s."""
    show = not quiet and on_terminal()
    t0 = time.perf_counter()
    if show:
        print(f"rankbound: {what} ...", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        dt = time.perf_counter() - t0
        if show and dt > 1.0:
            print(f"rankbound: {what}: done in {dt:.1f} s", file=sys.stderr, flush=True)
