"""A placed Story -> the text of its Markdown file, and the pictures it needs copied.

The one writer of imported articles, whatever they were read from:
- front matter in a fixed order, quoted by YAML's own dumper where YAML would
  misread a value (`NO`, `1.10`, `a: b`), with `sanitize: true`: text from
  another site is not trusted to carry raw HTML into our pages;
- the old address as an alias (redirect pages and redirect maps), unless it is
  the new address itself, another story's, or no clean path;
- an HTML body converted to Markdown, links to other imported stories made
  links to their files, pictures found under --media made site paths;
- the guid kept as `id`, so feed readers do not see old stories as new.
Pure apart from looking pictures up under --media; it writes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

import yaml

from .addresses import alias_for, relative_link, same_site, url_key
from .batch import ImportPlan, Placement
from .convert import html_to_markdown
from .media import MediaFile, find_media
from .story import Note, Story


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class WrittenStory:
    text: str                      # the whole Markdown file
    media: tuple[MediaFile, ...]   # pictures to copy into static/
    notes: tuple[Note, ...]        # the reader's notes and the writer's


def write_story(story: Story, placement: Placement, plan: ImportPlan, *, media_dir: Path | None,
                base_path: str) -> WrittenStory:
    notes = list(story.notes)
    media: list[MediaFile] = []

    def link_for(url: str):
        address, _, fragment = url.partition("#")
        found = plan.links.get(url_key(address)) if address else None
        if found is not None and (not found[1] or story.draft):
            link = quote(relative_link(placement.target, found[0]), safe="/._-~")
            return link + (f"#{fragment}" if fragment else ""), None
        if found is not None:
            return url, Note(0, f"link to a draft kept at its old address: {url}", "link to a draft")
        if story.url and same_site(url, story.url):
            return url, Note(0, f"link to the old site kept: {url}", "link to the old site")
        return url, None

    def image_for(url: str):
        found = find_media(url, media_dir)
        if found is not None:
            media.append(found)
            return found.site_path, None
        return url, Note(0, f"image kept at its old address: {url}", "external image")

    if story.body_format == "html":
        converted = html_to_markdown(story.body, page_url=story.url, link_for=link_for, image_for=image_for)
        body, body_notes = converted.markdown, converted.notes
    else:
        body, body_notes = story.body, ()
    notes += body_notes
    hero = None
    if story.image is not None:
        src, note = image_for(urljoin(story.url, story.image.src) if story.url else story.image.src)
        if note is not None:
            notes.append(Note(0, f"hero {note.message}", note.kind))
        hero = (src, story.image.alt or story.title, story.image.caption)
    aliases, alias_notes = story_aliases(story, placement, plan, base_path)
    notes += alias_notes
    if placement.slug != placement.wanted_slug:
        notes.append(Note(0, f"another story of this import has the file or URL of {placement.wanted_slug!r}: "
                             f"numbered it {placement.slug!r}", "numbered slug"))
    if story.id and not placement.keeps_id:
        notes.append(Note(0, f"id {story.id} is also an earlier story's: left it out", "duplicate id"))
    text = markdown_file(story, body, aliases, hero, story.id if placement.keeps_id else "")
    unique_media = tuple(dict.fromkeys(media))
    return WrittenStory(text, unique_media, tuple(dict.fromkeys(notes)))


def story_aliases(story: Story, placement: Placement, plan: ImportPlan, base_path: str):
    if not story.url:
        return [], []
    alias, why = alias_for(story.url, base_path)
    if not alias:
        return [], [Note(0, f"no redirect: {why}", "no redirect")]
    if alias.rstrip("/") == placement.url.rstrip("/"):
        return [], []  # the old address is the new one: nothing to redirect
    if placement.alias_owner != story.origin:
        return [], [Note(0, f"no redirect: {placement.alias_owner} has the same old address", "no redirect")]
    if alias in plan.new_urls or alias + "/" in plan.new_urls:
        return [], [Note(0, f"no redirect: {alias} is the new address of another imported story", "no redirect")]
    return [alias], []


def markdown_file(story: Story, body: str, aliases: list[str] = (), hero=None, story_id: str = "") -> str:
    """Front matter and body: the whole file."""
    front = {key: whole_characters(value) for key, value in front_matter(story, list(aliases), hero, story_id).items()}
    body = whole_characters(body)
    # The safe dumper quotes whatever YAML would misread: NO, 1.10, "a: b", ISO dates.
    # libyaml's emitter when present: the pure-Python one was a third of a large import.
    dumped = yaml.dump(front, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1000)
    return "---\n" + dumped + "---\n\n" + body


def whole_characters(value):
    """Text with lone surrogates (a JSON "\\ud800" escape, a broken feed) made U+FFFD: they
    are no characters, UTF-8 cannot hold them and the YAML emitter refuses them."""
    if isinstance(value, list):
        return [whole_characters(item) for item in value]
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def front_matter(story: Story, aliases: list[str], hero, story_id: str) -> dict:
    values: dict = {"title": story.title, "summary": story.summary}
    if len(story.authors) == 1:
        values["author"] = story.authors[0]
    else:
        values["authors"] = list(story.authors)
    values["published"] = story.published.isoformat()
    values["updated"] = story.updated.isoformat() if story.updated else ""
    values.update(location=story.location, section=story.section, tags=list(story.tags), timezone=story.timezone,
                  language=story.language)
    if hero is not None:
        values.update(image=hero[0], image_alt=hero[1], image_caption=hero[2])
    values.update(id=story_id, aliases=aliases, draft=story.draft, sanitize=True)
    return {key: value for key, value in values.items() if value not in ("", [], False, None)}
