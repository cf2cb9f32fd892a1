"""WordPress post content -> plain article HTML.

What WordPress adds when it shows a post, done here once: editor comments
(`<!--more-->`, `<!-- wp:paragraph -->`) go, shortcodes become HTML (a
`[caption]` a figure with its caption, a `[gallery]` its pictures, an
`[embed]` a link) and the classic editor's blank lines become paragraphs
(WordPress's "autop"). A shortcode we do not know is taken out, its enclosed
text kept, and reported. Text in brackets that is no shortcode ("[see map]")
stays.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Mapping

from .story import Image, Note

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_OPENING = re.compile(r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?P<attrs>(?:\s[^\[\]]*?)?)(?P<self>/?)\](?P<tail>\]?)")
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_BLOCK_TAG = re.compile(
    r"^<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|figure|figcaption|hr|dl|dt|dd|section|"
    r"article|aside|address|header|footer|nav|details|summary|iframe|video|audio|script|style|form|center)\b",
    re.I,
)
_PRE = re.compile(r"<pre\b.*?</pre>", re.S | re.I)
_CAPTIONED_IMAGE = re.compile(r"^(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.I)
_BARE_URL = re.compile(r"^https?://\S+$")
_EMBEDS = frozenset({"embed", "audio", "video", "youtube", "vimeo", "tweet", "twitter", "instagram", "soundcloud"})


@dataclass(frozen=True)
class Shortcode:
    name: str
    attributes: dict
    content: str | None  # None: a self-closing shortcode


def wordpress_html(content: str, attachments: Mapping[str, Image], parent_id: str,
                   gallery_of: Mapping[str, tuple[str, ...]]) -> tuple[str, tuple[Note, ...]]:
    """Article HTML from a post's `content:encoded`, and what was changed that the person should know."""
    notes: list[Note] = []
    text = _COMMENT.sub("", content.replace("\r\n", "\n").replace("\r", "\n"))
    text = replace_shortcodes(text, attachments, parent_id, gallery_of, notes)
    return autop(text), tuple(notes)


def replace_shortcodes(text: str, attachments, parent_id: str, gallery_of, notes: list[Note]) -> str:
    out: list[str] = []
    position = 0
    while True:
        match = _OPENING.search(text, position)
        if match is None:
            out.append(text[position:])
            return "".join(out)
        out.append(text[position:match.start()])
        name = match["name"]
        closing = f"[/{name}]"
        end = text.find(closing, match.end()) if not match["self"] else -1
        if match["escaped"] and match["tail"]:  # [[name]] is WordPress's way to write "[name]" literally
            out.append(match.group(0)[1:-1])
            position = match.end()
            continue
        attributes = parse_attributes(match["attrs"])
        if end < 0 and not (attributes or match["self"] or "_" in name or "-" in name or name in _KNOWN):
            out.append(match.group(0))  # "[see map]": text in brackets, not a shortcode
            position = match.end()
            continue
        content = text[match.end():end] if end >= 0 else None
        position = end + len(closing) if end >= 0 else match.end()
        out.append(render_shortcode(Shortcode(name.lower(), attributes, content), attachments, parent_id,
                                    gallery_of, notes))


def parse_attributes(text: str) -> dict:
    return {match[1].lower(): html.unescape(match[2] or match[3] or match[4] or "") for match in _ATTRIBUTE.finditer(text)}


def render_shortcode(code: Shortcode, attachments, parent_id: str, gallery_of, notes: list[Note]) -> str:
    if code.name in ("caption", "wp_caption"):
        return caption_figure(code)
    if code.name == "gallery":
        ids = [part.strip() for part in code.attributes.get("ids", "").split(",") if part.strip()]
        ids = ids or list(gallery_of.get(parent_id, ()))
        pictures = [attachments[key] for key in ids if key in attachments]
        if len(pictures) < len(ids) or not ids:
            notes.append(Note(0, "a [gallery] names pictures not in the export; left them out", "gallery incomplete"))
        return "".join(figure_html(picture) for picture in pictures)
    if code.name in _EMBEDS:
        url = (code.content or "").strip() or code.attributes.get("src") or code.attributes.get("url") or next(
            (value for key, value in code.attributes.items() if key in ("mp3", "mp4", "m4a", "ogg", "webm", "wav")), "")
        if url:
            notes.append(Note(0, f"[{code.name}] kept as a link: {url}", "embed kept as a link"))
            escaped = html.escape(url)
            return f'\n\n<p><a href="{escaped}">{escaped}</a></p>\n\n'
    notes.append(Note(0, f"removed the shortcode [{code.name}]", "shortcode removed"))
    return code.content or ""


def caption_figure(code: Shortcode) -> str:
    """`[caption]<img ...> Text[/caption]` -> a figure whose caption is the text (or the caption attribute)."""
    content = (code.content or "").strip()
    image = _CAPTIONED_IMAGE.match(content)
    image_html = image.group(0) if image else ""
    caption = content[len(image_html):].strip() or code.attributes.get("caption", "")
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image_html}{caption_html}</figure>\n\n"


def figure_html(picture: Image) -> str:
    alt = html.escape(picture.alt, quote=True)
    image = f'<img src="{html.escape(picture.src, quote=True)}" alt="{alt}">'
    caption = f"<figcaption>{html.escape(picture.caption)}</figcaption>" if picture.caption else ""
    return f"\n\n<figure>{image}{caption}</figure>\n\n"


_KNOWN = frozenset({"caption", "wp_caption", "gallery", "playlist"}) | _EMBEDS


def autop(text: str) -> str:
    """Blank-line separated text -> paragraphs, single line breaks -> <br>, as WordPress shows a post."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = _PRE.sub(keep, text)
    blocks = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("\x00"):
            blocks.append(kept[int(chunk.strip("\x00"))])
        elif _BLOCK_TAG.match(chunk):
            blocks.append(chunk)
        elif _BARE_URL.match(chunk):  # WordPress shows a URL alone on its line as an embed
            escaped = html.escape(chunk)
            blocks.append(f'<p><a href="{escaped}">{escaped}</a></p>')
        else:
            blocks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(blocks)
