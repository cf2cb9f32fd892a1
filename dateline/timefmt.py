"""Dates shown to readers, formatted explicitly (never through the locale)."""
from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

_FIXED = re.compile(r"^UTC([+-])(\d\d):(\d\d)$")

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def zone_label(local: datetime) -> str:
    """The zone abbreviation readers know ("IST", "EDT"); zones without one
    (the tz database writes "+08") are shown as "UTC+8" or "UTC+5:45"."""
    name = local.tzname() or ""
    if name and name[0] not in "+-" and not name.startswith("UTC+") and not name.startswith("UTC-"):
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@functools.lru_cache(maxsize=1024)   # a handful of zones, asked for on every date shown
def zone_for(name: str) -> tzinfo:
    """An IANA zone, or a fixed offset written "UTC+05:30" (an article whose
    published time carries an offset but names no zone is shown in that offset)."""
    match = _FIXED.match(name)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))), name)
    return ZoneInfo(name)


def fixed_zone_name(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def in_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zone_for(zone))


def display_datetime(moment: datetime, zone: str) -> str:
    """"25 October 2025, 9:28 AM IST"."""
    local = in_zone(moment, zone)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return f"{display_date(moment, zone)}, {hour}:{local.minute:02d} {meridiem} {zone_label(local)}"


def display_date(moment: datetime, zone: str) -> str:
    """"25 October 2025"."""
    local = in_zone(moment, zone)
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year}"


def iso_datetime(moment: datetime, zone: str) -> str:
    """The exact instant in the zone it is shown in, for `<time datetime>`."""
    return in_zone(moment, zone).isoformat()
