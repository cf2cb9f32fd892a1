"""Times as readers see them: the zone's name where one is known, the offset otherwise."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dateline.timefmt import display_datetime

INSTANT = datetime(2025, 9, 9, 1, 40, tzinfo=timezone.utc)


@pytest.mark.parametrize(("zone", "expected"), [
    ("Asia/Kolkata", "9 September 2025, 7:10 AM IST"),           # named by the tz database
    ("America/New_York", "8 September 2025, 9:40 PM EDT"),
    ("Asia/Kuala_Lumpur", "9 September 2025, 9:40 AM MYT"),     # the database writes "+08"
    ("Asia/Singapore", "9 September 2025, 9:40 AM SGT"),
    ("America/Caracas", "8 September 2025, 9:40 PM VET"),       # "-04"
    ("America/Santiago", "8 September 2025, 10:40 PM CLST"),    # its summer time, from 7 September
    ("Asia/Kathmandu", "9 September 2025, 7:25 AM NPT"),
    ("Asia/Dhaka", "9 September 2025, 7:40 AM UTC+6"),          # no name that readers would not misread
    ("UTC-04:00", "8 September 2025, 9:40 PM UTC-4"),           # an offset as written, no zone named
    ("UTC+05:45", "9 September 2025, 7:25 AM UTC+5:45"),
])
def test_times_show_the_zone_name_readers_know(zone, expected):
    assert display_datetime(INSTANT, zone) == expected


def test_a_name_is_only_used_with_the_offset_it_stands_for():
    # Kuala Lumpur kept +07:30 until 1982: "MYT" (+08:00) would misstate the time.
    assert display_datetime(datetime(1975, 1, 1, tzinfo=timezone.utc), "Asia/Kuala_Lumpur") == (
        "1 January 1975, 7:30 AM UTC+7:30")
    # Sao Paulo's summer time (until 2019) had its own name.
    assert display_datetime(datetime(2018, 1, 10, 12, tzinfo=timezone.utc), "America/Sao_Paulo") == (
        "10 January 2018, 10:00 AM BRST")
