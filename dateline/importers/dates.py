"""Dates as news pages write them -> aware times, for pasted stories.

Forms read: "25 October 2025, 9:28 AM IST", "Oct 25, 2025 09:28 IST", "25 Oct 2025
9:28 am IST", with an optional weekday, "at", "|" or a dash before the time, seconds,
"a.m.", "hrs", and the zone in parentheses; a numeric offset ("GMT+5:30", "UTC+05:30",
"+0530"); an ISO time ("2025-10-25T09:28:00+05:30"); and a date with no time of day
(midnight, reported). An abbreviation maps to an IANA zone and the offset is the one
that zone had at that instant. When the abbreviation names one season of that zone
("EST" in July) the zone's real offset is used and the mismatch reported; in a repeated
hour the abbreviation picks the side (the rule itself is `dateline.zones`').

Abbreviations (DEFAULT_ZONE_ABBREVIATIONS): "GMT" and "UTC" mean +00:00 all year, so
they map to Etc/GMT and UTC, not Europe/London; "IST" is India (the sites this was
written for), not Irish or Israel time; "BST" is British Summer Time, not Bangladesh;
"PST" is US Pacific, not Pakistan or Philippines; "CST", "AST", "SST" and "ECT" are
ambiguous (US Central or China; Atlantic or Arabia; Samoa or Singapore; Ecuador or
Eastern Caribbean) and map to None. An unknown or ambiguous abbreviation, or a date
with no zone, is a problem unless the caller passes a fallback zone (--timezone),
which is then used and reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from dateline.errors import Problem
from dateline.zones import load_zone, place_wall_time

from .lines import Line, quoted
from .story import Note

DEFAULT_ZONE_ABBREVIATIONS: dict[str, str | None] = {
    # +00:00 all year: literal offsets, not a city that changes its clocks.
    "UTC": "UTC",
    "GMT": "Etc/GMT",
    "Z": "UTC",
    # South and East Asia.
    "IST": "Asia/Kolkata",
    "PKT": "Asia/Karachi",
    "NPT": "Asia/Kathmandu",
    "SLST": "Asia/Colombo",
    "BDT": "Asia/Dhaka",
    "ICT": "Asia/Bangkok",
    "WIB": "Asia/Jakarta",
    "SGT": "Asia/Singapore",
    "MYT": "Asia/Kuala_Lumpur",
    "PHT": "Asia/Manila",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    # West and Central Asia, Africa.
    "GST": "Asia/Dubai",
    "AFT": "Asia/Kabul",
    "IRST": "Asia/Tehran",
    "MSK": "Europe/Moscow",
    "MMT": "Asia/Yangon",
    "UZT": "Asia/Tashkent",
    "IRDT": "Asia/Tehran",
    "TRT": "Europe/Istanbul",
    "WAT": "Africa/Lagos",
    "CAT": "Africa/Maputo",
    "EAT": "Africa/Nairobi",
    "SAST": "Africa/Johannesburg",
    # Europe.
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    # Americas.
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "ADT": "America/Halifax",
    "NST": "America/St_Johns",
    "NDT": "America/St_Johns",
    "BRT": "America/Sao_Paulo",
    "BRST": "America/Sao_Paulo",
    "ART": "America/Argentina/Buenos_Aires",
    "UYT": "America/Montevideo",
    "CLT": "America/Santiago",
    "CLST": "America/Santiago",
    "VET": "America/Caracas",
    "BOT": "America/La_Paz",
    "COT": "America/Bogota",
    "PET": "America/Lima",
    # Oceania.
    "AWST": "Australia/Perth",
    "ACST": "Australia/Adelaide",
    "ACDT": "Australia/Adelaide",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    # Used for more than one zone by newsrooms: the caller must say which.
    "CST": None,  # US Central Standard Time or China Standard Time
    "AST": None,  # Atlantic Standard Time or Arabia Standard Time
    "SST": None,  # Samoa Standard Time or Singapore Standard Time
    "ECT": None,  # Ecuador Time or Eastern Caribbean Time
}


_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}
_DATE = re.compile(
    r"""^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?
    (?:(?P<day1>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?P<month1>[a-z]{3,9})\.?
      |(?P<month2>[a-z]{3,9})\.?\s+(?P<day2>[0-9]{1,2})(?:st|nd|rd|th)?)
    ,?\s+(?P<year>[0-9]{4})
    (?:\s*(?:,|\||\bat\b|-|–|—)?\s*
    (?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?
    (?:\s*(?P<meridiem>[ap])\.?\s?m\.?(?![a-z]))?
    (?:\s*hrs?\.?)?
    (?:\s*\(?(?:(?:gmt|utc)\s*(?P<offset>[+-][0-9]{1,2}(?::?[0-9]{2})?)|(?P<bare>[+-][0-9]{2}:?[0-9]{2})
               |(?P<zone>[a-z]{2,5}))\)?)?)?$""",
    re.I | re.X,
)
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})$")
_DATE_EXAMPLE = "write it like '25 October 2025, 9:28 AM IST'"
_EARLIEST_YEAR, _LATEST_YEAR = 1000, 9000  # far enough from datetime's limits to convert


@dataclass(frozen=True)
class ZoneRules:
    abbreviations: dict  # upper-case abbreviation -> IANA name, or None when ambiguous
    fallback: str | None  # the --timezone option


@dataclass(frozen=True)
class Stamp:
    when: datetime  # aware, in `zone`
    zone: str  # IANA name; "" when the page wrote a numeric offset


@dataclass(frozen=True)
class WrittenDate:
    """A date as the page wrote it, before any zone is applied."""

    naive: datetime
    abbreviation: str  # "" when the text names no zone
    offset: timedelta | None = None  # a numeric offset, when the page wrote one
    has_time: bool = True


def looks_like_date(text: str) -> bool:
    return bool(_DATE.match(text) or _ISO.match(text))


def read_stamp(line: Line, field: str, source: str, zones: ZoneRules):
    """(Stamp or None, notes, problems) for one date line."""
    written, problem = read_written_date(line, field, source)
    if problem:
        return None, [], [problem]
    notes = []
    if not written.has_time:
        notes.append(Note(line.number, f"{quoted(line.text)} has no time of day: used midnight", "date without time"))
    if written.offset is not None:
        return Stamp(written.naive.replace(tzinfo=timezone(written.offset)), ""), notes, []
    zone_name, zone_notes, problems = resolve_zone(written.abbreviation, line, field, source, zones)
    if problems:
        return None, notes + zone_notes, problems
    when, local_notes, problem = localise(written, zone_name, line, field, source)
    if problem:
        return None, notes + zone_notes + local_notes, [problem]
    return Stamp(when, zone_name), notes + zone_notes + local_notes, []


def read_written_date(line: Line, field: str, source: str) -> tuple[WrittenDate | None, Problem | None]:
    if _ISO.match(line.text):
        when = datetime.fromisoformat(line.text.replace("Z", "+00:00"))
        if not _EARLIEST_YEAR <= when.year <= _LATEST_YEAR:
            return None, Problem(source, line.number, field, f"{quoted(line.text)}: year {when.year} is out of range")
        return WrittenDate(when.replace(tzinfo=None), "", when.utcoffset()), None
    match = _DATE.match(line.text)
    month = _MONTHS.get((match["month1"] or match["month2"] or "").lower()) if match else None
    if month is None:
        return None, Problem(source, line.number, field, f"cannot read the date {quoted(line.text)}", hint=_DATE_EXAMPLE)
    year, day = int(match["year"]), int(match["day1"] or match["day2"])
    hour, minute, second = int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0)
    if match["meridiem"]:
        if not 1 <= hour <= 12:
            return None, Problem(source, line.number, field, f"{quoted(line.text)}: hour {hour} with AM/PM")
        hour = hour % 12 + (12 if match["meridiem"].lower() == "p" else 0)
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        return None, Problem(source, line.number, field, f"{quoted(line.text)}: year {year} is out of range")
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        return None, Problem(source, line.number, field, f"{quoted(line.text)} is not a real time: {error}")
    offset_text = match["offset"] or match["bare"]
    offset = read_offset(offset_text) if offset_text else None
    if offset_text and offset is None:
        return None, Problem(source, line.number, field, f"{quoted(line.text)}: offset {offset_text} is out of range")
    return WrittenDate(naive, (match["zone"] or "").upper(), offset, has_time=match["hour"] is not None), None


def read_offset(text: str) -> timedelta | None:
    """"+5:30", "+05:30", "+0530", "-4" -> a timedelta; None past ±14 hours."""
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes >= 60:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def resolve_zone(abbreviation: str, line: Line, field: str, source: str, zones: ZoneRules):
    """(IANA name or None, notes, problems): the zone the abbreviation stands for here."""
    known = abbreviation in zones.abbreviations
    mapped = zones.abbreviations.get(abbreviation)
    if mapped is not None:
        if load_zone(mapped) is None:
            message = f"zone abbreviation {quoted(abbreviation)} maps to unknown IANA zone {quoted(mapped)}"
            return None, [], [Problem(source, line.number, field, message)]
        return mapped, [], []
    if not abbreviation:
        reason = "no time zone"
    elif known:
        reason = f"ambiguous time zone abbreviation {quoted(abbreviation)}"
    else:
        reason = f"unknown time zone abbreviation {quoted(abbreviation)}"
    if zones.fallback is not None and load_zone(zones.fallback) is not None:
        return zones.fallback, [Note(line.number, f"{reason}; used --timezone {zones.fallback}", "zone from --timezone")], []
    hint = "pass --timezone with the IANA zone it means here, e.g. --timezone Asia/Kolkata"
    return None, [], [Problem(source, line.number, field, f"{reason} in {quoted(line.text)}", hint=hint)]


def zone_option_problems(zones: ZoneRules, source: str) -> list[Problem]:
    if zones.fallback is None or load_zone(zones.fallback) is not None:
        return []
    return [Problem(source, 0, "timezone", f"unknown IANA time zone {quoted(zones.fallback)}", hint="e.g. Asia/Kolkata")]


def localise(written: WrittenDate, zone_name: str, line: Line, field: str, source: str):
    """(aware datetime or None, notes, problem): the wall time read in the zone's rules."""
    wall = place_wall_time(written.naive, load_zone(zone_name))
    if wall.unique:
        return wall.earlier, season_notes(wall.earlier, written.abbreviation, zone_name, line), None
    if not wall.exists:
        message = f"{quoted(line.text)} does not exist in {zone_name}: the clocks skipped that hour"
        return None, [], Problem(source, line.number, field, message)
    # The hour happened twice; "EDT"/"EST" say which, "ET" cannot.
    if wall.later.tzname() == written.abbreviation:
        return wall.later, [], None
    if wall.earlier.tzname() == written.abbreviation:
        return wall.earlier, [], None
    message = f"{quoted(line.text)} happened twice in {zone_name}; used the earlier ({wall.earlier.tzname()})"
    return wall.earlier, [Note(line.number, message, "repeated hour")], None


def season_notes(when: datetime, abbreviation: str, zone_name: str, line: Line) -> list[Note]:
    """Report "EST" written in July: the zone's real offset is used, which the page may not mean."""
    names_that_year = {
        datetime(when.year, month, 1, tzinfo=when.tzinfo).tzname() for month in (1, 7)
    }
    actual = when.tzname()
    if abbreviation not in names_that_year or actual == abbreviation:
        return []
    offset = when.isoformat()[-6:]
    message = f"{abbreviation} written but {zone_name} is on {actual} then; used {offset}"
    return [Note(line.number, message, "abbreviation of the other season")]
