"""Dates shown to readers, formatted explicitly (never through the locale)."""
from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

_FIXED = re.compile(r"^UTC([+-])(\d\d):(\d\d)$")

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


# Zones the tz database names only by their offset ("+08", "-04") but whose
# readers know a name for them: zone -> {UTC offset in minutes: abbreviation}.
# Keyed by offset so that a time from before a zone changed its offset (Kuala
# Lumpur before 1982, Sao Paulo's old summer time) never gets a name that was
# not in use then. Names that mean another zone to most readers (Dhaka's "BST",
# Riyadh's "AST") are left out: those zones keep "UTC+6", "UTC+3".
COMMON_ZONE_ABBREVIATIONS: dict[str, dict[int, str]] = {
    "Asia/Singapore": {480: "SGT"},
    "Asia/Kuala_Lumpur": {480: "MYT"},
    "Asia/Bangkok": {420: "ICT"},
    "Asia/Ho_Chi_Minh": {420: "ICT"},
    "Asia/Yangon": {390: "MMT"},
    "Asia/Kathmandu": {345: "NPT"},
    "Asia/Colombo": {330: "SLST"},
    "Asia/Tashkent": {300: "UZT"},
    "Asia/Kabul": {270: "AFT"},
    "Asia/Dubai": {240: "GST"},
    "Asia/Muscat": {240: "GST"},
    "Asia/Tehran": {210: "IRST", 270: "IRDT"},
    "Europe/Istanbul": {180: "TRT"},
    "America/Sao_Paulo": {-180: "BRT", -120: "BRST"},
    "America/Argentina/Buenos_Aires": {-180: "ART"},
    "America/Montevideo": {-180: "UYT"},
    "America/Santiago": {-240: "CLT", -180: "CLST"},
    "America/Caracas": {-240: "VET"},
    "America/La_Paz": {-240: "BOT"},
    "America/Bogota": {-300: "COT"},
    "America/Lima": {-300: "PET"},
}


def zone_label(local: datetime) -> str:
    """The zone abbreviation readers know ("IST", "EDT", "MYT"); a time with
    no zone name (a fixed offset, or a zone with none known) is shown as
    "UTC+8" or "UTC+5:45"."""
    name = local.tzname() or ""
    if name and name[0] not in "+-" and not name.startswith("UTC+") and not name.startswith("UTC-"):
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    common = COMMON_ZONE_ABBREVIATIONS.get(getattr(local.tzinfo, "key", ""), {}).get(minutes)
    if common:
        return common
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
