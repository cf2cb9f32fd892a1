"""The floor: the least work any build of this archive must do, with no pipeline.

Per article: read the file, parse its front matter (yaml CSafeLoader), convert
the body with one Python-Markdown instance (reset per use), render one Jinja
template and write one file. Run as `python bench/floor.py ROOT OUT`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import jinja2
from markupsafe import Markup
import markdown
import yaml

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ meta.title }}</title></head>
<body><article><h1>{{ meta.title }}</h1><p>{{ meta.summary }}</p>
{{ body }}
</article></body></html>
"""


def main(root: Path, out: Path) -> int:
    md = markdown.Markdown(extensions=["extra", "sane_lists", "smarty"], output_format="html")
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    paths = sorted(str(p) for p in (root / "content").rglob("*.md"))
    out.mkdir(parents=True, exist_ok=True)
    for number, path in enumerate(paths):
        text = Path(path).read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        md.reset()
        html = Markup(md.convert(body))
        with open(os.path.join(out, f"{number}.html"), "wb") as handle:
            handle.write(template.render(meta=meta, body=html).encode("utf-8"))
    return len(paths)


if __name__ == "__main__":
    count = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"floor: {count} articles")
