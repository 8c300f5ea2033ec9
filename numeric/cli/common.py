"""What every command shares: the one-line-error parser and the parameter flags."""

from __future__ import annotations

import argparse

from numeric.errors import UsageError
from numeric.params import DEFAULT_PRESET, PRESETS, SPECS

__all__ = ["Parser", "add_param_flags", "params_from"]


class Parser(argparse.ArgumentParser):
    def error(self, message):            # one line, exit 2 (argparse prints usage + message otherwise)
        raise UsageError(message)


def add_param_flags(p):
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"parameter preset ({', '.join(PRESETS)}); flags override it")
    for spec in SPECS:
        p.add_argument(spec.flag, dest=spec.name, default=None, metavar="X", help=spec.help)
    p.add_argument("--dps", default="30", help="decimal digits of the results (default 30)")
    p.add_argument("--variant", default="default", help="named variant of the chain (default, sharp-softmax, "
                                                        "dudley-half)")


def params_from(args):
    from numeric.params import Params
    return Params.from_preset(args.preset, **{s.name: getattr(args, s.name) for s in SPECS})


