"""A synthetic WordPress export (WXR) of N posts, for import memory and time tests.

    python bench/wxr.py 10000 > /tmp/export.xml

Each post has a few paragraphs, a category, two tags and a link to the post
before it, so the import does the work a real archive asks for.
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Synthetic Gazette</title>
<link>https://synthetic.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://synthetic.example</wp:base_blog_url>
<wp:author><wp:author_login><![CDATA[desk]]></wp:author_login><wp:author_display_name><![CDATA[News Desk]]></wp:author_display_name></wp:author>
"""
PARAGRAPH = ("The council met on {day} to discuss the harbour budget, and members asked for a report on the "
             "dredging schedule, the ferry rota and the night market before the next session.")


def write_wxr(out, posts: int) -> None:
    out.write(HEAD)
    start = datetime(2015, 1, 1, 6, 0)
    for number in range(1, posts + 1):
        when = start + timedelta(hours=7 * number)
        slug = f"council-report-{number}"
        previous = f"https://synthetic.example/{(when - timedelta(hours=7)):%Y/%m}/council-report-{number - 1}/"
        body = "\n\n".join(PARAGRAPH.format(day=f"{when:%A}") for _ in range(4))
        body += f'\n\nSee <a href="{previous}">the earlier report</a>.'
        out.write(f"""<item>
<title><![CDATA[Council report number {number}]]></title>
<link>https://synthetic.example/{when:%Y/%m}/{slug}/</link>
<dc:creator><![CDATA[desk]]></dc:creator>
<guid isPermaLink="false">https://synthetic.example/?p={number}</guid>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[Report {number} on the harbour budget.]]></excerpt:encoded>
<wp:post_id>{number}</wp:post_id>
<wp:post_date><![CDATA[{when:%Y-%m-%d %H:%M:%S}]]></wp:post_date>
<wp:post_date_gmt><![CDATA[{when:%Y-%m-%d %H:%M:%S}]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{slug}]]></wp:post_name>
<wp:status><![CDATA[publish]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="city"><![CDATA[City]]></category>
<category domain="post_tag" nicename="budget"><![CDATA[budget]]></category>
<category domain="post_tag" nicename="harbour"><![CDATA[harbour]]></category>
</item>
""")
    out.write("</channel>\n</rss>\n")


if __name__ == "__main__":
    write_wxr(sys.stdout, int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
