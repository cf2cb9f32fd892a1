"""Bring an existing archive in: one reader per source format, one neutral
`Story`, one writer.

    story.py      the values: Story, Image, Skipped, Media, Note, ReadOptions
    detect.py     which format a file is in (`import --from`, else sniffed)
    sources.py    the reader of each format
    wxr.py        WordPress export (WXR), streamed; shortcodes.py: its post content
    feed.py       RSS and Atom feeds (feedparser)
    page.py       saved article pages (JSON-LD, OpenGraph, trafilatura)
    text.py       stories pasted as plain text; dates.py, lines.py: its dates and lines
    xmlsafe.py    XML with entity declarations and external references refused
    batch.py      first pass: every story's file and URL, before any is written
    writer.py     second pass: a placed Story -> Markdown file text (+ pictures to copy)
    convert.py    article HTML -> Markdown (markdownify)
    addresses.py  old URLs -> aliases, and the keys links between stories match on
    media.py      pictures found under --media

Adding a format is adding a reader: a function (path, label, ReadOptions) ->
iterator of Story / Skipped / Media / Problem, named in `sources.READERS` and
`detect.FORMATS`.

This file imports nothing, so that commands which only need a helper (`check`
uses `text.normalise_title`) do not load the readers' libraries.
"""
