"""A deterministic synthetic news archive for benchmarks and incremental tests.

`generate_project(root, articles)` writes a project folder: site.yaml,
content/YYYY/MM/<slug>.md and a copy of the repository's layouts/. With
`photos_every=N`, every Nth article has a hero photo: a distinct 2000 x 1333
JPEG (about 0.5 MB, with grain like a real photo's) under static/media/photos/.
The same `articles`, `seed` and `photos_every` always give the same bytes.
"""
from __future__ import annotations

import functools
import io
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WORDS = ("council budget river harbour election minister strike port rail bridge school hospital court "
         "market farmers drought flood festival museum police union wages housing rent tram airport "
         "energy solar wind grid water tariff exports fishing coast mountain village city mayor vote "
         "report inquiry protest agreement talks summit treaty border trade bank inflation jobs").split()
AUTHORS = [f"{first} {last}" for first in ("Ana", "Ben", "Chen", "Dara", "Eli", "Farah", "Goran", "Hana",
                                           "Ivo", "Jun", "Kofi", "Lena")
           for last in ("Okafor", "Silva", "Novak", "Tanaka", "Haddad", "Brennan")]
TAGS = [f"{a} {b}" for a in WORDS[:20] for b in ("policy", "watch", "crisis")]
SECTIONS = ["World", "Politics", "Business", "Science", "Culture", "Sport", "Local", "Opinion"]
LOCATIONS = ["Lisbon", "Nairobi", "Kuala Lumpur", "Oslo", "Lima", "Hanoi", "Accra", "Tbilisi", "Quito",
             "Manila", "Dakar", "Riga", "Porto", "Cusco", "Bergen", "Mombasa"]
UNLINKED = 7
START = datetime(2012, 1, 1, 6, 0, tzinfo=timezone.utc)

SITE_YAML = """title: Bench Herald
base_url: https://bench.example.org/
description: {description}
language: en
timezone: Europe/Lisbon
per_page: 20
feed_items: 20
"""


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(WORDS) for _ in range(words)]
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def _paragraph(rng: random.Random, words: int) -> str:
    out, total = [], 0
    while total < words:
        n = rng.randint(8, 18)
        out.append(_sentence(rng, n))
        total += n
    return " ".join(out)


SPACED = 150_000


def article_meta(index: int, seed: int = 1) -> dict:
    """Front-matter values of article `index` (its path, date, terms)."""
    rng = random.Random(f"{seed}:{index}:meta")
    # 613 minutes apart, then, past SPACED stories, an hour apart: a build
    # refuses times after 2200, which 613 minutes reach at ~161,000 stories.
    minutes = index * 613 if index <= SPACED else SPACED * 613 + (index - SPACED) * 60
    published = START + timedelta(minutes=minutes + rng.randint(0, 300))
    slug = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{index}"
    authors = rng.sample(AUTHORS, rng.choice((1, 1, 1, 2)))
    tags = sorted(rng.sample(TAGS, rng.randint(1, 4)))
    return {
        "index": index,
        "path": f"{published:%Y}/{published:%m}/{slug}.md",
        "slug": slug,
        "title": _sentence(rng, rng.randint(4, 9))[:-1],
        "summary": _sentence(rng, rng.randint(10, 20)),
        "authors": authors,
        "published": published,
        "tags": tags,
        "section": rng.choice(SECTIONS),
        "location": rng.choice(LOCATIONS),
    }


PHOTO_SIZE = (2000, 1333)


def has_photo(index: int, photos_every: int) -> bool:
    return photos_every > 0 and index % photos_every == 0


def photo_site_path(index: int, seed: int = 1) -> str:
    return f"/media/photos/{article_meta(index, seed)['slug']}.jpg"


@functools.lru_cache(maxsize=1)
def _texture(size: tuple[int, int]):
    """Smooth colour fields with grain, half again as large as a photo; photos
    are crops of it (making each from scratch took ten times as long)."""
    from PIL import Image

    rng = random.Random("texture")
    width, height = size[0] * 3 // 2, size[1] * 3 // 2
    base = Image.frombytes("RGB", (36, 24), rng.randbytes(36 * 24 * 3)).resize((width, height),
                                                                             Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", (width // 2, height // 2), rng.randbytes(width * height // 4))
    return Image.blend(base, grain.resize((width, height), Image.Resampling.BILINEAR).convert("RGB"), 0.12)


def photo_bytes(index: int, seed: int = 1, edit: int = 0) -> bytes:
    """Article `index`'s photo: a crop of the texture at its own place, with its
    own shapes, so no two photos share bytes. `edit` gives a changed photo."""
    from PIL import ImageDraw

    rng = random.Random(f"{seed}:{index}:photo:{edit}")
    texture = _texture(PHOTO_SIZE)
    left, top = rng.randrange(texture.width - PHOTO_SIZE[0]), rng.randrange(texture.height - PHOTO_SIZE[1])
    image = texture.crop((left, top, left + PHOTO_SIZE[0], top + PHOTO_SIZE[1]))
    draw = ImageDraw.Draw(image)
    for _ in range(10):
        x, y = rng.randrange(PHOTO_SIZE[0]), rng.randrange(PHOTO_SIZE[1])
        draw.ellipse([x, y, x + rng.randrange(60, 600), y + rng.randrange(60, 600)],
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    data = io.BytesIO()
    image.save(data, "JPEG", quality=88)
    return data.getvalue()


def write_photo(root: Path, index: int, seed: int = 1, edit: int = 0) -> Path:
    path = root / "static" / photo_site_path(index, seed).lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo_bytes(index, seed, edit))
    return path


def article_text(index: int, count: int, seed: int = 1, *, body_edit: str = "",
                 tags: list[str] | None = None, photos_every: int = 0) -> str:
    """The Markdown file of article `index` in an archive of `count` articles."""
    meta = article_meta(index, seed)
    rng = random.Random(f"{seed}:{index}:body")
    tags = meta["tags"] if tags is None else tags
    lines = ["---", f"title: \"{meta['title']}\"", f"summary: \"{meta['summary']}\""]
    if len(meta["authors"]) == 1:
        lines.append(f"author: {meta['authors'][0]}")
    else:
        lines.append("authors: [" + ", ".join(meta["authors"]) + "]")
    lines += [f"published: {meta['published'].isoformat()}",
              "tags: [" + ", ".join(tags) + "]",
              f"section: {meta['section']}",
              f"location: {meta['location']}"]
    if has_photo(index, photos_every):
        lines += [f"image: {photo_site_path(index, seed)}", f"image_alt: \"{meta['title']}\"",
                  f"image_caption: \"{meta['summary']}\"", f"image_credit: {meta['authors'][0]}/Bench Herald"]
    lines += ["---", ""]
    body: list[str] = []
    words = 0
    heading = 0
    while words < 800:
        choice = rng.random()
        if choice < 0.12:
            heading += 1
            body.append(f"## {_sentence(rng, 4)[:-1]} {heading}")
        elif choice < 0.22:
            body.append("> " + _sentence(rng, rng.randint(10, 20)) + " said " + rng.choice(AUTHORS) + ".")
            words += 20
        elif choice < 0.32:
            body.append("\n".join(f"- {_sentence(rng, rng.randint(4, 8))}" for _ in range(rng.randint(2, 5))))
            words += 20
        else:
            text = _paragraph(rng, rng.randint(50, 110))
            if count > 1 and rng.random() < 0.5:
                other = article_meta(linkable(rng.randrange(count)), seed)
                text += f" See also [{other['title'][:30]}]({_relative(meta['path'], other['path'])})."
            body.append(text)
            words += len(text.split())
        body.append("")
    if body_edit:
        body.append(body_edit)
        body.append("")
    return "\n".join(lines + body)


def linkable(index: int) -> int:
    """Links never point at multiples of UNLINKED, so those can be deleted cleanly."""
    if index % UNLINKED:
        return index
    return index + 1 if index == 0 else index - 1


def deletable(near: int) -> int:
    """An article index at or after `near` that no other article links to."""
    return near + (-near) % UNLINKED


def _relative(source: str, target: str) -> str:
    depth = source.count("/")
    return "../" * depth + target


def write_site_yaml(root: Path, description: str = "A synthetic archive for benchmarks") -> None:
    (root / "site.yaml").write_text(SITE_YAML.format(description=description), encoding="utf-8")


def write_article(root: Path, index: int, count: int, seed: int = 1, **changes) -> Path:
    path = root / "content" / article_meta(index, seed)["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(index, count, seed, **changes), encoding="utf-8")
    return path


def generate_project(root: Path, articles: int, seed: int = 1, photos_every: int = 0) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_site_yaml(root)
    shutil.copytree(REPO / "dateline/theme", root / "layouts", dirs_exist_ok=True)
    for index in range(articles):
        write_article(root, index, articles, seed, photos_every=photos_every)
        if has_photo(index, photos_every):
            write_photo(root, index, seed)
    return root


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--photos-every", type=int, default=0, help="a hero photo on every Nth article (0: none)")
    args = parser.parse_args()
    generate_project(args.root, args.articles, photos_every=args.photos_every)
