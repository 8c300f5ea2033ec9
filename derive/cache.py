"""An on-disk cache of what SymPy computes (the composed theorems, the derived integral).

Entries are pickles keyed by a hash of the source files of ``lemmas/`` and
``derive/``, the SymPy and Python versions and the entry's own key, so any
change to a lemma or to the composition invalidates them.  The cache lives in
``$RANKBOUND_CACHE_DIR`` or ``~/.cache/rankbound``; ``RANKBOUND_NO_CACHE=1``
turns it off.  A missing, unreadable or stale entry is recomputed; the cache
never changes a result, only how long it takes (writes are atomic).

Pickles execute code when loaded: the cache directory must be as trusted as
the user's home directory, which is where it lives by default.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
from functools import lru_cache
from pathlib import Path

import sympy

__all__ = ["cached", "cache_dir", "source_fingerprint"]

_PACKAGES = ("lemmas", "derive")


@lru_cache(maxsize=None)
def source_fingerprint() -> str:
    """A hash of every source file that can change what the derivations compute."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for pkg in _PACKAGES:
        for path in sorted((root / pkg).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    h.update(sympy.__version__.encode())
    h.update(platform.python_version().encode())
    return h.hexdigest()[:24]


def cache_dir() -> Path | None:
    if os.environ.get("RANKBOUND_NO_CACHE", "").lower() not in ("", "0", "false", "no"):
        return None
    base = os.environ.get("RANKBOUND_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rankbound")
    return Path(base)


def _path(key: tuple) -> Path | None:
    d = cache_dir()
    if d is None:
        return None
    digest = hashlib.sha256(repr((source_fingerprint(),) + tuple(key)).encode()).hexdigest()[:32]
    return d / f"{digest}.pickle"


def cached(key: tuple, compute):
    """``compute()``, or its pickled value from an earlier process with the same sources."""
    path = _path(key)
    if path is not None and path.exists():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:          # a stale or corrupt entry: recompute it below
            pass
    value = compute()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:          # an unwritable cache costs time, never correctness
            try:
                os.unlink(tmp)
            except Exception:
                pass
    return value
