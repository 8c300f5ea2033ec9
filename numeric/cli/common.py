"""What every command shares: the one-line-error parser and the parameter flags."""

from __future__ import annotations

import argparse

from numeric.errors import UsageError
from numeric.params import DEFAULT_PRESET, PRESETS, SPECS

__all__ = ["Parser", "add_param_flags", "params_from", "check_output_path"]


class Parser(argparse.ArgumentParser):
    def error(self, message):            # one line, exit 2 (argparse prints usage + message otherwise)
        raise UsageError(message)


def add_param_flags(p, dps: bool = True,
                    variant_help: str = "named variant of the chain (default, sharp-softmax, dudley-half)"):
    """--preset, one flag per parameter, --dps (unless the command has its own) and --variant."""
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"parameter preset ({', '.join(PRESETS)}); flags override it")
    for spec in SPECS:
        p.add_argument(spec.flag, dest=spec.name, default=None, metavar="X", help=spec.help)
    if dps:
        p.add_argument("--dps", default="30", help="decimal digits of the results (default 30)")
    p.add_argument("--variant", default="default", help=variant_help)


def params_from(args):
    from numeric.params import Params
    return Params.from_preset(args.preset, **{s.name: getattr(args, s.name) for s in SPECS})


def check_output_path(flag: str, path: str, suffixes=None, example: str = "out.txt") -> str:
    """Refuse an output file that cannot be written, before any work (one-line UsageError naming ``flag``).

    The folder must exist and be writable, ``path`` must not be a folder (nor an existing file that
    cannot be written), and, when ``suffixes`` are given, end in one of them (case-insensitive).
    """
    import os
    if not path:
        raise UsageError(f"{flag}: give a file name such as {example}")
    if os.path.isdir(path):
        raise UsageError(f"{flag}: {path!r} is a folder; give a file name such as {example}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{flag}: the folder {folder!r} does not exist")
    if os.path.exists(path) and not os.path.isfile(path):
        raise UsageError(f"{flag}: {path!r} exists and is not a regular file (a pipe or a device?); give a file "
                         f"name such as {example}")
    if not os.access(folder, os.W_OK | os.X_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag}: {path!r} cannot be written (no write permission)")
    if suffixes is not None:
        suffix = os.path.splitext(path)[1].lower().lstrip(".")
        allowed = [s.lower().lstrip(".") for s in suffixes]
        if suffix not in allowed:
            raise UsageError(f"{flag}: {path!r} must end in one of {', '.join('.' + s for s in allowed)}")
    return path
