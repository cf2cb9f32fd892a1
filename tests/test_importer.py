"""Tests for dateline.importers.text: pasted news stories -> Markdown articles."""
from __future__ import annotations

import html
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import markdown
import pytest
import yaml

from dateline.importers.story import Story
from dateline.importers.dates import DEFAULT_ZONE_ABBREVIATIONS
from dateline.importers.text import (
    escape_heading,
    escape_markdown,
    normalise_title,
    read_pasted_story,
    relative_link,
)
from dateline.importers.writer import markdown_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Imported:
    """A story as the writer writes it, and its report lines."""

    story: Story
    markdown: str
    front_matter: dict
    report: tuple[str, ...]

    @property
    def slug(self):
        return self.story.slug

    @property
    def published(self):
        return self.story.published


def run_import(text: str, *, titles: dict | None = None, timezone: str | None = None, source="incoming/story.txt"):
    story, problems = read_pasted_story(
        text, source, zone_abbreviations=DEFAULT_ZONE_ABBREVIATIONS, titles=titles or {}, timezone=timezone
    )
    if story is None:
        return None, problems
    markdown = markdown_file(story, story.body)
    return Imported(story, markdown, split_markdown(markdown)[0], tuple(map(str, story.notes))), problems


def import_ok(text: str, **options):
    story, problems = run_import(text, **options)
    assert problems == []
    assert story is not None
    return story


def split_markdown(text: str) -> tuple[dict, str]:
    """The front matter as YAML reads it back, and the body."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    assert lines[end + 1] == ""
    return yaml.safe_load("\n".join(lines[1:end])), "\n".join(lines[end + 2 :])


def make_story(
    *,
    headline="Ferry crews agree new rota",
    dek="Crews will work four days on and three off.",
    author_line="Post Published By: Ravi Menon",
    updated_line="Updated : 25 October 2025, 9:28 AM IST",
    body=("Alappuzha: The ferry department and the crews' union signed the rota on Friday.", "It starts next month."),
    location="Alappuzha",
    published="25 October 2025, 8:00 AM IST",
) -> str:
    parts = [headline, "", dek, "", author_line, updated_line, "", *body, ""]
    if location is not None:
        parts += ["Location :", f"  • {location}", ""]
    if published is not None:
        parts += ["Published :", f"  • {published}", ""]
    return "\n".join(part for part in parts if part is not None)


# --- the fixture stories -------------------------------------------------------------

COCHIN_TITLES = {
    normalise_title("Kerala minister promises faster clearance at Cochin port"): "2025/09/cochin-clearance.md"
}


def test_full_story_front_matter():
    story = import_ok(fixture_text("full_story_ist.txt"), titles=COCHIN_TITLES)
    front_matter, _ = split_markdown(story.markdown)
    assert front_matter == {
        "title": "Kochi Harbour Workers End Strike After Wage Deal With Port Trust",
        "summary": "The three-week strike that left container ships idling off Kochi ended on Saturday "
        "after the port trust agreed to a revised wage scale.",
        "author": "Meera Thampi",
        "published": "2025-10-24T23:05:00+05:30",
        "updated": "2025-10-25T09:28:00+05:30",
        "location": "Kochi",
        "timezone": "Asia/Kolkata",
        "sanitize": True,
    }
    assert list(front_matter) == ["title", "summary", "author", "published", "updated", "location", "timezone",
                                 "sanitize"]
    assert story.front_matter == front_matter
    assert story.slug == "kochi-harbour-workers-end-strike-after-wage-deal-with-port-trust"
    assert story.published == datetime.fromisoformat("2025-10-24T23:05:00+05:30")
    assert story.published.utcoffset() is not None


def test_full_story_body_headings_caption_and_links():
    story = import_ok(fixture_text("full_story_ist.txt"), titles=COCHIN_TITLES)
    _, body = split_markdown(story.markdown)
    assert body == (
        "Dock workers at the Willingdon Island terminal returned to work on Saturday morning, "
        "ending a strike that had stalled more than forty vessels.\n"
        "\n"
        "The agreement, signed late on Friday night, raises the daily wage of loaders by 18 per cent "
        "and adds a night-shift allowance.\n"
        "\n"
        "## What the deal says\n"
        "\n"
        "*Union leader Joseph Kurian signs the agreement on Friday night.*\n"
        "\n"
        "The port trust will also hire 120 permanent staff over the next two years, according to a copy "
        "of the agreement seen by reporters.\n"
        "\n"
        '"We did not get everything, but we got a future," Kurian told workers gathered at the gate.\n'
        "\n"
        "Fishermen in Vypin Demand Compensation for Lost Catch During Strike\n"
        "\n"
        "## Exporters count the cost\n"
        "\n"
        "Seafood exporters said the stoppage cost them close to Rs 40 crore in missed shipments to "
        "Europe and East Asia.\n"
        "\n"
        "Read also: [Kerala Minister Promises Faster Clearance at Cochin Port](../09/cochin-clearance.md)\n"
        "\n"
        "Officials expect the backlog to clear within ten days.\n"
    )


def test_full_story_report_lists_every_guess_by_line():
    story = import_ok(fixture_text("full_story_ist.txt"), titles=COCHIN_TITLES)
    assert story.report == (
        "line 7: dropped stray line 'Trending'",
        "line 8: dropped stray line 'Listen to this article'",
        "line 12: made a heading: 'What the deal says'",
        "line 13: made an image caption: 'Union leader Joseph Kurian signs the agreement on Friday night.'",
        "line 16: unmatched read-also candidate kept as a paragraph: "
        "'Fishermen in Vypin Demand Compensation for Lost Catch During Strike'",
        "line 17: made a heading: 'Exporters count the cost'",
        "line 19: linked read-also 'Kerala Minister Promises Faster Clearance at Cochin Port' "
        "to 2025/09/cochin-clearance.md",
    )


def test_read_also_without_a_match_is_kept_as_text_and_reported():
    story = import_ok(fixture_text("full_story_ist.txt"), titles={})
    _, body = split_markdown(story.markdown)
    assert "\n\nKerala Minister Promises Faster Clearance at Cochin Port\n\n" in body
    assert "Read also:" not in body
    assert (
        "line 19: unmatched read-also candidate kept as a paragraph: "
        "'Kerala Minister Promises Faster Clearance at Cochin Port'"
    ) in story.report


def test_no_updated_line_sgt_and_a_title_yaml_must_quote():
    story = import_ok(fixture_text("no_updated_sgt.txt"))
    front_matter, body = split_markdown(story.markdown)
    assert front_matter == {
        "title": "Budget 2026: what changes for renters in Singapore",
        "summary": "The rebate on public flats rises, and private tenants get a new deduction. "
        "Economists call it modest.",
        "author": "Lim Wei Ling",
        "published": "2025-10-25T09:28:00+08:00",
        "location": "Singapore",
        "timezone": "Asia/Singapore",
        "sanitize": True,
    }
    assert story.markdown.startswith("---\ntitle: 'Budget 2026: what changes for renters in Singapore'\n")
    assert body.startswith("Households renting public flats will receive a rebate")
    assert "\n\n## Who gains most\n\n" in body
    assert story.report == ("line 6: dropped stray line 'Premium'", "line 12: made a heading: 'Who gains most'")


def test_edt_story_footer_location_wins_and_links_across_years():
    titles = {
        normalise_title("Researchers open tidal data archive to schools across the state"): "2024/03/tidal-archive.md"
    }
    story = import_ok(fixture_text("dateline_differs_edt.txt"), titles=titles)
    front_matter, body = split_markdown(story.markdown)
    assert front_matter == {
        "title": "Harbor Lab Opens Its Doors to Students",
        "summary": "A new marine research lab will host 200 high-school students a year. "
        "Its first class starts in November.",
        "author": "Dana O'Connell",
        "published": "2025-10-25T09:28:00-04:00",
        "updated": "2025-10-25T16:15:00-04:00",
        "location": "Cambridge",
        "timezone": "America/New_York",
        "sanitize": True,
    }
    assert (
        "\n\nRead also: [Researchers Open Tidal Data Archive to Schools Across the State]"
        "(../../2024/03/tidal-archive.md)\n\n"
    ) in body
    assert story.report == (
        "line 8: dateline 'BOSTON' differs from footer Location 'Cambridge'; used the footer",
        "line 11: made a heading: 'Tour of the new wing'",
        "line 12: linked read-also 'Researchers Open Tidal Data Archive to Schools Across the State' "
        "to 2024/03/tidal-archive.md",
    )


def test_edt_story_text_renders_as_written():
    story = import_ok(fixture_text("dateline_differs_edt.txt"))
    _, body = split_markdown(story.markdown)
    rendered = html.unescape(markdown.markdown(body))
    assert "<p>The *Harbor* Lab, funded by a $12 million gift from the Ruiz_Park foundation" in rendered
    assert "<p>1984. That was the year the old pier was last rebuilt" in rendered
    assert "pointing at the pilings [see map].</p>" in rendered
    assert "<p>Students will measure water temperature <every hour> & publish results online.</p>" in rendered
    assert "<p># of tanks: 14, the lab said.</p>" in rendered
    assert "<h2>Tour of the new wing</h2>" in rendered


def test_updated_only_gmt_becomes_published_and_dateline_gives_location():
    story = import_ok(fixture_text("updated_only_gmt.txt"))
    front_matter, body = split_markdown(story.markdown)
    assert front_matter == {
        "title": "River Thames ferry service suspended after pier damage",
        "summary": "Operators said repairs would take at least a week.",
        "author": "Tom Ashdown",
        "published": "2025-10-25T09:28:00+00:00",
        "location": "London",
        "timezone": "Etc/GMT",
        "sanitize": True,
    }
    assert body.startswith("Ferry services between Greenwich and Westminster")
    assert story.report == (
        "line 6: no footer Published; used the Updated time as published",
        "line 8: no footer Location; took 'London' from the dateline",
    )


def test_unknown_zone_abbreviation_is_a_problem_on_each_date_line():
    story, problems = run_import(fixture_text("unknown_zone.txt"), source="incoming/lagos.txt")
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/lagos.txt:6: updated: unknown time zone abbreviation 'NGT' in '25 October 2025, 9:28 AM NGT' "
        "(pass --timezone with the IANA zone it means here, e.g. --timezone Asia/Kolkata)",
        "incoming/lagos.txt:15: published: unknown time zone abbreviation 'NGT' in '25 October 2025, 8:10 AM NGT' "
        "(pass --timezone with the IANA zone it means here, e.g. --timezone Asia/Kolkata)",
    ]


def test_unknown_zone_abbreviation_with_timezone_option_succeeds():
    story = import_ok(fixture_text("unknown_zone.txt"), timezone="Africa/Lagos")
    front_matter, _ = split_markdown(story.markdown)
    assert front_matter["published"] == "2025-10-25T08:10:00+01:00"
    assert front_matter["updated"] == "2025-10-25T09:28:00+01:00"
    assert front_matter["timezone"] == "Africa/Lagos"
    assert story.report == (
        "line 6: unknown time zone abbreviation 'NGT'; used --timezone Africa/Lagos",
        "line 15: unknown time zone abbreviation 'NGT'; used --timezone Africa/Lagos",
    )


def test_unparseable_story_names_file_line_and_field():
    story, problems = run_import(fixture_text("unparseable_no_author.txt"), source="incoming/fair.txt")
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/fair.txt:1: author: no byline ('By <name>' or 'Published By: <name>') after the headline "
        "(the byline goes between the summary and the date)",
        "incoming/fair.txt:5: published: no date: no 'Published :' footer and no 'Updated :' line "
        "(add 'Published :' with a date like '25 October 2025, 9:28 AM IST' at the end)",
    ]


# --- what cannot be imported ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "   \n\t\n", "\ufeff"])
def test_empty_story_is_a_problem(text):
    story, problems = run_import(text)
    assert story is None
    assert [str(problem) for problem in problems] == ["incoming/story.txt:1: title: empty story: no headline, author or date"]


def test_story_starting_with_the_author_line_has_no_headline():
    text = make_story(headline="", dek="")
    story, problems = run_import(text)
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/story.txt:5: title: no headline: the story starts with a label line (put the headline on the first line)"
    ]


def test_author_line_without_a_name():
    story, problems = run_import(make_story(author_line="Published By :"))
    assert story is None
    assert [str(problem) for problem in problems] == ["incoming/story.txt:5: author: the byline has no name after it"]


def test_unreadable_and_impossible_dates():
    text = make_story(updated_line="Updated : yesterday evening", published="31 February 2025, 9:28 AM IST")
    story, problems = run_import(text)
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/story.txt:6: updated: cannot read the date 'yesterday evening' "
        "(write it like '25 October 2025, 9:28 AM IST')",
        "incoming/story.txt:15: published: '31 February 2025, 9:28 AM IST' is not a real time: "
        "day is out of range for month",
    ]


def test_published_label_without_a_date():
    text = make_story(published="").replace("  • \n", "")
    story, problems = run_import(text)
    assert story is None
    assert [str(problem) for problem in problems] == ["incoming/story.txt:14: published: 'Published :' has no date after it"]


def test_ambiguous_abbreviation_is_a_problem_and_timezone_resolves_it():
    text = make_story(updated_line="", published="25 October 2025, 9:28 AM CST")
    story, problems = run_import(text)
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/story.txt:15: published: ambiguous time zone abbreviation 'CST' in '25 October 2025, 9:28 AM CST' "
        "(pass --timezone with the IANA zone it means here, e.g. --timezone Asia/Kolkata)"
    ]
    story = import_ok(text, timezone="Asia/Shanghai")
    assert story.front_matter["published"] == "2025-10-25T09:28:00+08:00"
    assert "line 15: ambiguous time zone abbreviation 'CST'; used --timezone Asia/Shanghai" in story.report


def test_unknown_timezone_option_is_a_problem():
    text = make_story(updated_line="", published="25 October 2025, 9:28 AM NGT")
    story, problems = run_import(text, timezone="Lagos")
    assert story is None
    assert "incoming/story.txt: timezone: unknown IANA time zone 'Lagos' (e.g. Asia/Kolkata)" in map(str, problems)


def test_no_body_text_is_a_problem():
    story, problems = run_import(make_story(body=()))
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/story.txt:7: body: no article text between the header and the footer"
    ]


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("25 October 2025, 9:28 AM IST", "2025-10-25T09:28:00+05:30"),
        ("Oct 25, 2025 09:28 IST", "2025-10-25T09:28:00+05:30"),
        ("25 Oct 2025 9:28 am IST", "2025-10-25T09:28:00+05:30"),
        ("Saturday, 25 October 2025 at 9:28 p.m. (IST)", "2025-10-25T21:28:00+05:30"),
        ("Sept 3, 2025 | 12:05 AM EDT", "2025-09-03T00:05:00-04:00"),
        ("3rd March 2025, 14:00:30 CET", "2025-03-03T14:00:30+01:00"),
        ("25 October 2025, 9:28 AM AEDT", "2025-10-25T09:28:00+11:00"),
        ("1 July 2025, 12:00 PM BST", "2025-07-01T12:00:00+01:00"),
        ("1 July 2025, 9:28 AM GMT", "2025-07-01T09:28:00+00:00"),
        ("25 October 2025, 9:28 AM utc", "2025-10-25T09:28:00+00:00"),
        ("25 October 2025, 9:28 AM SGT", "2025-10-25T09:28:00+08:00"),
    ],
)
def test_date_forms_become_iso_with_the_zone_offset_of_that_instant(written, expected):
    story = import_ok(make_story(updated_line="", published=written))
    assert story.front_matter["published"] == expected
    assert story.published == datetime.fromisoformat(expected)


def test_article_folder_uses_the_published_date_in_its_own_zone():
    # 12:30 AM on 1 November in Kolkata is still 31 October in UTC; the article goes in 2025/11/.
    body = ("Alappuzha: The crews signed on Friday.", "Ferry Fares to Rise From Monday After Fuel Price Hike", "More.")
    titles = {normalise_title(body[1]): "2025/10/ferry-fares.md"}
    text = make_story(updated_line="", body=body, published="1 November 2025, 12:30 AM IST")
    story = import_ok(text, titles=titles)
    assert story.published.month == 11
    assert "Read also: [Ferry Fares to Rise From Monday After Fuel Price Hike](../10/ferry-fares.md)" in story.markdown


def test_standard_time_written_in_summer_uses_the_real_offset_and_says_so():
    story = import_ok(make_story(updated_line="", published="4 July 2025, 10:00 AM EST"))
    assert story.front_matter["published"] == "2025-07-04T10:00:00-04:00"
    assert "line 15: EST written but America/New_York is on EDT then; used -04:00" in story.report


def test_repeated_hour_is_resolved_by_the_abbreviation():
    standard = import_ok(make_story(updated_line="", published="Nov 2, 2025 1:30 AM EST"))
    daylight = import_ok(make_story(updated_line="", published="Nov 2, 2025 1:30 AM EDT"))
    generic = import_ok(make_story(updated_line="", published="Nov 2, 2025 1:30 AM ET"))
    assert standard.front_matter["published"] == "2025-11-02T01:30:00-05:00"
    assert daylight.front_matter["published"] == "2025-11-02T01:30:00-04:00"
    assert generic.front_matter["published"] == "2025-11-02T01:30:00-04:00"
    assert (
        "line 15: 'Nov 2, 2025 1:30 AM ET' happened twice in America/New_York; used the earlier (EDT)"
        in generic.report
    )


def test_skipped_hour_is_a_problem():
    story, problems = run_import(make_story(updated_line="", published="Mar 9, 2025 2:30 AM ET"))
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/story.txt:15: published: 'Mar 9, 2025 2:30 AM ET' does not exist in America/New_York: "
        "the clocks skipped that hour"
    ]


def test_updated_equal_to_published_is_left_out():
    story = import_ok(make_story(updated_line="Updated : 25 Oct 2025 8:00 am IST"))
    assert "updated" not in story.front_matter


def test_caller_abbreviations_replace_the_defaults():
    text = make_story(updated_line="", published="25 October 2025, 9:28 AM IST")
    story, problems = read_pasted_story(
        text, "s.txt", zone_abbreviations={"ist": "Europe/Dublin"}, titles={}, timezone=None
    )
    assert problems == []
    assert story.published.isoformat() == "2025-10-25T09:28:00+01:00"
    assert story.timezone == "Europe/Dublin"


def test_default_abbreviations_all_name_real_zones():
    from zoneinfo import ZoneInfo

    for abbreviation, zone in DEFAULT_ZONE_ABBREVIATIONS.items():
        assert abbreviation == abbreviation.upper()
        if zone is not None:
            ZoneInfo(zone)
    assert DEFAULT_ZONE_ABBREVIATIONS["CST"] is None
    assert DEFAULT_ZONE_ABBREVIATIONS["GMT"] == "Etc/GMT"
    assert DEFAULT_ZONE_ABBREVIATIONS["IST"] == "Asia/Kolkata"


def test_every_abbreviation_the_site_prints_imports_back_to_its_offset():
    """A page dateline built (say, "9:28 AM BRT") can be imported again."""
    from zoneinfo import ZoneInfo

    from dateline.timefmt import COMMON_ZONE_ABBREVIATIONS

    for zone, names in COMMON_ZONE_ABBREVIATIONS.items():
        for minutes, abbreviation in names.items():
            mapped = DEFAULT_ZONE_ABBREVIATIONS.get(abbreviation)
            assert mapped, abbreviation
            offsets = {int(datetime(year, month, 15, tzinfo=ZoneInfo(mapped)).utcoffset().total_seconds() // 60)
                       for year in range(2000, 2026) for month in (1, 7)}
            assert minutes in offsets, (abbreviation, mapped, offsets)


# --- header, datelines and body -------------------------------------------------------


def test_label_spacing_and_bullets_vary():
    text = (
        "Ferry crews agree new rota\n"
        "Crews will work four days on and three off.\n"
        "Post Published By:Ravi Menon\n"
        "\n\n"
        "Updated:25 October 2025, 9:28 AM IST\n"
        "Alappuzha: The ferry department and the crews' union signed the rota on Friday.\n"
        "Location:Alappuzha\n"
        "Published:\n"
        "\n"
        "- 25 October 2025, 8:00 AM IST\n"
    )
    story = import_ok(text)
    assert story.front_matter == {
        "title": "Ferry crews agree new rota",
        "summary": "Crews will work four days on and three off.",
        "author": "Ravi Menon",
        "published": "2025-10-25T08:00:00+05:30",
        "updated": "2025-10-25T09:28:00+05:30",
        "location": "Alappuzha",
        "timezone": "Asia/Kolkata",
        "sanitize": True,
    }


def test_two_line_dek_and_footer_values_on_the_label_line():
    text = (
        "Ferry crews agree new rota\n"
        "Crews will work four days on and three off.\n"
        "The union called it a fair deal.\n"
        "Published By : Ravi Menon\n"
        "Updated : 25 October 2025, 9:28 AM IST\n"
        "Alappuzha: The ferry department and the crews' union signed the rota on Friday.\n"
        "Location : Alappuzha\n"
        "Published : 25 October 2025, 8:00 AM IST\n"
        "Updated : 25 October 2025, 9:30 AM IST\n"
    )
    story = import_ok(text)
    assert story.front_matter["summary"] == "Crews will work four days on and three off. The union called it a fair deal."
    assert story.front_matter["published"] == "2025-10-25T08:00:00+05:30"
    assert story.front_matter["updated"] == "2025-10-25T09:28:00+05:30"
    assert story.front_matter["location"] == "Alappuzha"
    assert story.report == ("line 9: footer Updated ignored; used the one under the author line",)


def test_windows_line_endings_and_no_break_spaces_give_the_same_story():
    text = make_story()
    pasted = text.replace("\n", "\r\n").replace("Ravi Menon", "Ravi\u00a0Menon")
    assert import_ok(pasted) == import_ok(text)


@pytest.mark.parametrize(
    ("first_line", "footer_location", "location", "paragraph", "note"),
    [
        ("NEW DELHI: Talks resumed.", "New Delhi", "New Delhi", "Talks resumed.", None),
        ("New Delhi, Oct 25: Talks resumed.", "New Delhi", "New Delhi", "Talks resumed.", None),
        ("NEW DELHI: Talks resumed.", None, "New Delhi", "Talks resumed.",
         "line 8: no footer Location; took 'New Delhi' from the dateline"),
        ("Thiruvananthapuram — Talks resumed.", None, "Thiruvananthapuram", "Talks resumed.",
         "line 8: no footer Location; took 'Thiruvananthapuram' from the dateline"),
        ("Talks resumed on Friday in the capital.", "New Delhi", "New Delhi", "Talks resumed on Friday in the capital.",
         "line 8: no dateline at the start of the first paragraph"),
        ("Mumbai: Talks resumed.", "New Delhi", "New Delhi", "Talks resumed.",
         "line 8: dateline 'Mumbai' differs from footer Location 'New Delhi'; used the footer"),
    ],
)
def test_dateline_forms(first_line, footer_location, location, paragraph, note):
    text = make_story(body=(first_line, "More follows."), location=footer_location)
    story = import_ok(text)
    _, body = split_markdown(story.markdown)
    assert story.front_matter["location"] == location
    assert body.startswith(paragraph + "\n\n")
    if note:
        assert note in story.report


def test_no_location_anywhere_leaves_it_out_and_says_so():
    story = import_ok(make_story(body=("Talks resumed on Friday in the capital.",), location=None))
    assert "location" not in story.front_matter
    assert "line 8: no location: no footer Location and no dateline" in story.report


def test_extra_footer_location_is_reported():
    text = make_story().replace("  • Alappuzha\n", "  • Alappuzha\n  • Kottayam\n")
    story = import_ok(text)
    assert story.front_matter["location"] == "Alappuzha"
    assert "line 13: more than one footer Location; ignored 'Kottayam'" in story.report


def test_page_noise_inside_the_body_is_dropped_and_short_last_line_is_kept():
    body = ("Alappuzha: The crews signed on Friday.", "Advertisement", "The rota starts next month.", "With inputs from agencies")
    story = import_ok(make_story(body=body))
    _, text = split_markdown(story.markdown)
    assert text == (
        "The crews signed on Friday.\n\nThe rota starts next month.\n\nWith inputs from agencies\n"
    )
    assert "line 9: dropped stray line 'Advertisement'" in story.report
    assert "line 11: kept short last line as a paragraph: 'With inputs from agencies'" in story.report


def test_read_also_prefix_and_curly_quotes_still_match():
    titles = {"Union ‘wins’ ferry rota dispute": "2025/10/rota-dispute.md"}  # not normalised by the caller
    body = ("Alappuzha: The crews signed on Friday.", "Also Read: Union 'Wins' Ferry Rota Dispute", "More follows.")
    story = import_ok(make_story(body=body), titles=titles)
    assert "\n\nRead also: [Union 'Wins' Ferry Rota Dispute](rota-dispute.md)\n\n" in story.markdown


def test_unmatched_read_also_prefix_is_kept_verbatim():
    body = ("Alappuzha: The crews signed on Friday.", "Also Read: Boat race dates announced", "More follows.")
    story = import_ok(make_story(body=body))
    assert "\n\nAlso Read: Boat race dates announced\n\n" in story.markdown
    assert (
        "line 9: unmatched read-also candidate kept as a paragraph: 'Also Read: Boat race dates announced'"
        in story.report
    )


def test_yaml_sensitive_values_survive_the_round_trip():
    text = make_story(headline="NO", dek="a: b", author_line="Post Published By: 1.10")
    story = import_ok(text)
    front_matter, _ = split_markdown(story.markdown)
    assert (front_matter["title"], front_matter["summary"], front_matter["author"]) == ("NO", "a: b", "1.10")
    assert story.markdown.startswith("---\ntitle: 'NO'\nsummary: 'a: b'\nauthor: '1.10'\n")


def test_long_headline_gives_a_slug_cut_at_a_word():
    headline = "Ferry " + " ".join(["crews"] * 30)
    story = import_ok(make_story(headline=headline))
    assert len(story.slug) <= 80
    assert story.slug.endswith("crews")


def test_headline_with_nothing_to_slug_is_a_problem():
    story, problems = run_import(make_story(headline="!!!"))
    assert story is None
    assert [str(problem) for problem in problems] == [
        "incoming/story.txt:1: title: the headline has no letters or digits to make a slug from"
    ]


# --- helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("  “Talks”   Resume… ", 'talks" resume'),
        ("KL talks resume.", "kl talks resume"),
        ("Union ‘wins’ rota\tdispute", "union 'wins' rota dispute"),
        ("Straße", "strasse"),
        ("...", ""),
    ],
)
def test_normalise_title(title, expected):
    assert normalise_title(title) == expected


@pytest.mark.parametrize(
    ("folder", "target", "expected"),
    [
        ("2025/10", "2025/10/kl-talks.md", "kl-talks.md"),
        ("2025/11", "2025/10/kl-talks.md", "../10/kl-talks.md"),
        ("2025/10", "2024/03/x.md", "../../2024/03/x.md"),
        ("2025/10", "features/long-read.md", "../../features/long-read.md"),
        ("2025/10", "./2025/10/a.md", "a.md"),
    ],
)
def test_relative_link(folder, target, expected):
    assert relative_link(folder, target) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The *Harbor* Lab and Ruiz_Park [see map] `code` back\\slash",
        "1984. That year",
        "12) twelve",
        "# of tanks",
        "- a dash",
        "+ a plus",
        "> not a quote",
        "<b>bold</b> & AT&amp;T &copy;",
        "<http://example.com>",
        "![not an image](x.png)",
        "C#",
    ],
)
def test_escaped_text_renders_as_written(text):
    paragraph = markdown.markdown(escape_markdown(text))
    assert html.unescape(paragraph.removeprefix("<p>").removesuffix("</p>")) == text
    heading = markdown.markdown("## " + escape_heading(text))
    assert html.unescape(heading.removeprefix("<h2>").removesuffix("</h2>")) == text


# --- never raises ---------------------------------------------------------------------

_FUZZ_ALPHABET = "abcXYZ :•-*_#[]()<>&\n\r\t\u00a0\u2028\x85\x00\ud800é0123456789.,!?'\"’“"
_FUZZ_PIECES = (
    "Published :", "Location :", "Post Published By: A", "Updated : 25 October 2025, 9:28 AM IST",
    "  • 31 February 2025, 9:28 AM IST", "• 1 Jan 0999 1:00 pm XYZ", "NEW DELHI:", "Read also: ",
    "Trending", "\n", "\n\n", "12 Oct 9000, 23:59 EDT", "Mar 9, 2025 2:30 EST", "Nov 2, 2025 1:30 ET",
    "13:00 PM", "Published By:",
)


def fuzzed_texts(count: int):
    rng = random.Random(20251025)
    stories = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.txt"))]
    for index in range(count):
        if index % 3 == 0:
            yield "".join(rng.choice(_FUZZ_ALPHABET) for _ in range(rng.randrange(200)))
        elif index % 3 == 1:
            yield "".join(rng.choice(_FUZZ_PIECES + tuple(_FUZZ_ALPHABET)) for _ in range(rng.randrange(40)))
        else:
            chars = list(rng.choice(stories))
            for _ in range(rng.randrange(1, 10)):
                chars.insert(rng.randrange(len(chars) + 1), rng.choice(_FUZZ_PIECES + tuple(_FUZZ_ALPHABET)))
                del chars[rng.randrange(len(chars))]
            yield "".join(chars)


def test_random_text_never_raises_and_output_round_trips():
    imported = 0
    for text in fuzzed_texts(3000):
        story, problems = run_import(text, titles={"a": "2025/01/a.md"}, timezone=None)
        assert (story is None) == bool(problems)
        assert all(problem.path == "incoming/story.txt" for problem in problems)
        if story is not None:
            imported += 1
            front_matter, _ = split_markdown(story.markdown)
            assert front_matter == story.front_matter
    assert imported > 100  # the mutated fixtures mostly still import
