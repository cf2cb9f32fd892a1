"""Bring an existing archive in: one reader per source format, one neutral
`Story`, one writer.

    wxr.py    WordPress export (WXR XML), streamed       -> Story, Media, Skipped
    feed.py   RSS and Atom feeds (feedparser)            -> Story
    page.py   saved article pages (JSON-LD, OpenGraph, trafilatura) -> Story
    text.py   stories pasted as plain text               -> Story
    batch.py  first pass: every story's file and URL, before any is written
    writer.py second pass: a placed Story -> Markdown file text (+ pictures to copy)

Adding a format is adding a reader: a function (path, label, ReadOptions) ->
iterator of Story / Skipped / Media / Problem, named in `sources.READERS`.

This file imports nothing, so that commands which only need a helper (`check`
uses `text.normalise_title`) do not load the readers' libraries.
"""
