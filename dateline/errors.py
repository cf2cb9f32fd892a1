"""Problems found in the input, reported as `path:line: field: message`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input. `line` is 1-based; 0 when unknown."""

    path: str
    line: int
    field: str
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.field}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def sorted_problems(problems) -> list[Problem]:
    """Problems in the one order they are printed: by path, then line."""
    return sorted(set(problems))


class DatelineError(Exception):
    """The base of every failure the package reports to a person: its message is one
    line saying what is wrong and what to do. The CLI and `serve` catch this (and
    only this) to print it instead of a traceback."""


class UsageError(DatelineError):
    """A command-line option that cannot work (exit status 2)."""


class BuildError(DatelineError):
    """Raised by the pipeline when the input has problems; nothing was written."""

    def __init__(self, problems):
        self.problems = sorted_problems(problems)
        super().__init__(f"{len(self.problems)} problem(s)")
