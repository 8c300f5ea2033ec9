"""Errors of the evaluation layer and the CLI."""


class UsageError(ValueError):
    """Bad input: the message names the parameter and the constraint (CLI: one line on stderr, exit 2)."""


class ParameterError(UsageError):
    """A parameter value violates its constraint."""

    def __init__(self, name: str, constraint: str, value):
        self.name, self.constraint, self.value = name, constraint, value
        super().__init__(f"parameter {name}: {constraint}, got {shorten(safe_repr(value))}")


def safe_repr(value) -> str:
    """``repr(value)``, or a description when Python refuses to print it (an int of more than 4300 digits)."""
    try:
        return repr(value)
    except ValueError:
        if isinstance(value, int):
            return f"an integer of about {int(abs(value).bit_length() * 0.30103) + 1} digits"
        return f"a {type(value).__name__} too large to print"


def shorten(text: str, keep: int = 60) -> str:
    """A long value cut for a one-line error: its start and end, and how long it was."""
    if len(text) <= keep:
        return text
    return f"{text[:30]}...{text[-15:]} ({len(text)} characters)"


class NotCertified(RuntimeError):
    """A requested result could not be computed to the requested accuracy (never returned silently)."""
