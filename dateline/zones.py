"""Wall-clock times read in an IANA zone: the one daylight-saving rule that
front matter (`schema`) and imports (`importers`) share.

A local time can exist once, never (the clocks skipped it in spring) or twice
(the clocks went back in autumn). Front matter turns the last two into an
error asking for an offset; an import may settle a repeated hour by the zone
abbreviation the page wrote ("1:30 AM EDT").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class WallTime:
    """A naive local time placed in a zone, both ways it could be read."""

    earlier: datetime  # aware, fold=0: the first (or only) reading
    later: datetime    # aware, fold=1: the second reading in a repeated hour
    exists: bool       # False: the clocks skipped this time

    @property
    def repeated(self) -> bool:
        return self.exists and self.earlier.utcoffset() != self.later.utcoffset()

    @property
    def unique(self) -> bool:
        return self.exists and not self.repeated


def place_wall_time(naive: datetime, zone: ZoneInfo) -> WallTime:
    """Read `naive` (no tzinfo) as a wall-clock time in `zone`."""
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return WallTime(earlier, later, exists=True)
    # Both readings differ: a time the clocks skipped does not survive a round trip through UTC.
    round_trip = earlier.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
    return WallTime(earlier, later, exists=round_trip == naive)


def load_zone(name: str) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
