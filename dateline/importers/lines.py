"""Pasted text as numbered lines, the unit the plain-text reader works in."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor counts
    text: str  # whitespace collapsed, stripped


def split_lines(text: str) -> list[Line]:
    """Number the lines; only \\n, \\r\\n and \\r end a line so numbers match an editor."""
    raw_lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    return [Line(number, collapse_whitespace(raw)) for number, raw in enumerate(raw_lines, start=1)]


def collapse_whitespace(text: str) -> str:
    # Pasted pages carry no-break spaces, tabs and U+2028; YAML would fold some of them.
    return " ".join(re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text).split())


def quoted(text: str) -> str:
    return f"'{text}'"
