"""News photos: resized copies with the right sizes, every <img> sized, metadata
gone, broken and oversized images refused, and a photo never resized twice."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import html5lib
import lxml.html
import pytest
from PIL import Image, ImageDraw, ImageOps

from conftest import BUILD_PY, article, make_project, override_template, read_tree, run_build
from dateline.config import load_config
from dateline.pipeline import BuildOptions, build

GPS_LATITUDE = (51.0, 30.0, 26.5)


def photo_bytes(width: int, height: int, fmt: str = "JPEG", *, orientation: int = 1, gps: bool = False,
                mode: str = "RGB") -> bytes:
    """A small picture with shapes (so resizing has work), in `fmt`, with the EXIF given."""
    image = Image.new(mode, (width, height), (40, 90, 160) if mode == "RGB" else (40, 90, 160, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width // 2, height // 3], fill=(220, 30, 30))         # red: top left, as stored
    draw.ellipse([width // 3, height // 3, width - 10, height - 10], fill=(240, 200, 40))
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    if gps:
        exif[0x010F] = "PhoneCo"
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2], ifd[3], ifd[4] = "N", GPS_LATITUDE, "W", (0.0, 7.0, 39.0)
    data = io.BytesIO()
    options = {"exif": exif.tobytes()} if len(exif) else {}
    image.save(data, fmt, **options)
    return data.getvalue()


def write_file(root: Path, name: str, data: bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


HERO = """image: /media/port.jpg
image_alt: Container ships at anchor
image_caption: Ships wait outside the port.
image_credit: Ana Souza/Dateline
"""
BODY = "Intro paragraph.\n\n![A chart of arrivals](/media/chart.png)\n\nMiddle.\n\n![Map](/media/map.webp)\n\nEnd.\n"


def photo_project(root: Path) -> Path:
    make_project(root, {
        "2025/port.md": article("Port reopens", "2025-10-20T10:00:00Z", extra=HERO, body=BODY),
        "2025/plain.md": article("No pictures", "2025-10-19T10:00:00Z"),
    })
    write_file(root, "static/media/port.jpg", photo_bytes(3000, 2000, orientation=6, gps=True))
    write_file(root, "static/media/chart.png", photo_bytes(700, 350, "PNG", mode="RGBA"))
    write_file(root, "static/media/map.webp", photo_bytes(1300, 900, "WEBP"))
    return root


def build_at(root: Path, out: Path, *, jobs: int = 1, use_cache: bool = True, **changes):
    config, problems = load_config(root)
    assert config is not None, problems
    config = replace(config, search=False, **changes)
    return build(config, BuildOptions(out_dir=out, jobs=jobs, use_cache=use_cache))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = photo_project(tmp_path_factory.mktemp("photos") / "project")
    report = build_at(root, root / "site", jobs=2)
    return root, report


def parse(data: bytes):
    """HTML5 parsing (libxml2's HTML parser does not know <source> is void)."""
    return html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=False)


def page(site: Path, path: str):
    return parse((site / path).read_bytes())


def srcset_of(value: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in (item.split() for item in value.split(", "))]


def test_copies_have_the_planned_sizes_and_are_never_upscaled(built):
    root, report = built
    site = root / "site"
    assert report.photos_resized == 3
    doc = page(site, "2025/10/20/port/index.html")
    hero = doc.xpath("//figure[@class='hero']/picture")[0]
    webp, img = hero.xpath("source")[0], hero.xpath("img")[0]
    # EXIF orientation 6: the 3000 x 2000 photo is shown 2000 x 3000, so the largest copy is 1600 x 2400.
    assert srcset_of(webp.get("srcset")) == [(f"/media/port-{w}w-{img.get('srcset').split('-')[-1][:10]}.webp", w)
                                           for w in (480, 800, 1200, 1600)]
    assert [w for _, w in srcset_of(img.get("srcset"))] == [480, 800, 1200, 1600]
    assert srcset_of(img.get("srcset"))[-1] == ("/media/port.jpg", 1600)     # the photo's own path: the largest
    assert (img.get("width"), img.get("height")) == ("1600", "2400")
    for source in (webp, img):
        for url, width in srcset_of(source.get("srcset")):
            with Image.open(site / url.lstrip("/")) as copy:
                assert copy.size == (width, width * 3 // 2), url
                assert copy.format == ("WEBP" if url.endswith(".webp") else "JPEG")
    body = doc.xpath("//div[@class='article-body']//picture")
    chart = body[0].xpath("img")[0]
    assert [w for _, w in srcset_of(chart.get("srcset"))] == [480, 700]       # 700 wide: not upscaled
    assert chart.get("src") == "/media/chart.png"
    with Image.open(site / "media/chart.png") as own:
        assert own.size == (700, 350) and own.mode == "RGBA"                  # transparency kept
    webp_only = doc.xpath("//div[@class='article-body']//img")[1]
    assert webp_only.getparent().tag == "p"                                   # a WebP photo needs no <picture>
    assert [w for _, w in srcset_of(webp_only.get("srcset"))] == [480, 800, 1200, 1300]


def image_size_of(file: Path) -> tuple[int, int]:
    if file.suffix == ".svg":
        match = re.search(rb'width="(\d+)" height="(\d+)"', file.read_bytes())
        return int(match.group(1)), int(match.group(2))
    with Image.open(file) as image:
        return image.size


def test_every_img_on_every_page_has_its_true_width_and_height(built):
    root, _ = built
    site = root / "site"
    pages = sorted(site.rglob("*.html"))
    seen = 0
    for file in pages:
        for img in parse(file.read_bytes()).iter("img"):
            seen += 1
            where = f"{file.relative_to(site)}: {lxml.html.tostring(img)[:120]!r}"
            assert img.get("width") and img.get("height"), where
            source = site / img.get("src").lstrip("/")
            assert image_size_of(source) == (int(img.get("width")), int(img.get("height"))), where
    assert seen >= 3


def test_the_hero_loads_first_and_body_images_lazily(built):
    root, _ = built
    doc = page(root / "site", "2025/10/20/port/index.html")
    hero = doc.xpath("//figure[@class='hero']//img")[0]
    assert hero.get("fetchpriority") == "high" and hero.get("loading") is None
    for img in doc.xpath("//div[@class='article-body']//img"):
        assert (img.get("loading"), img.get("decoding")) == ("lazy", "async")
        assert img.get("sizes") == "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
    assert doc.xpath("//div[@class='article-body']//img/@alt") == ["A chart of arrivals", "Map"]


def test_caption_credit_og_image_and_json_ld(built):
    root, _ = built
    doc = page(root / "site", "2025/10/20/port/index.html")
    caption = doc.xpath("//figure[@class='hero']/figcaption")[0]
    assert "".join(caption.itertext()) == "Ships wait outside the port. Photo: Ana Souza/Dateline"
    assert caption.xpath("span[@class='credit']")[0].text == "Photo: Ana Souza/Dateline"
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert re.fullmatch(r"https://example\.org/media/port-1200w-[0-9a-f]{10}\.jpg", og["og:image"])
    assert (og["og:image:width"], og["og:image:height"], og["og:image:alt"]) == (
        "1200", "1800", "Container ships at anchor")
    with Image.open(root / "site" / og["og:image"].split("/", 3)[3]) as shared:
        assert shared.size == (1200, 1800)
    data = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["image"] == [{"@type": "ImageObject", "url": og["og:image"], "width": 1200, "height": 1800,
                              "caption": "Ships wait outside the port.", "creditText": "Ana Souza/Dateline"}]
    plain = page(root / "site", "2025/10/19/plain/index.html")
    # Without a picture of its own, the site's `image` (the theme's logo) stands in.
    assert plain.xpath("//meta[@property='og:image']/@content") == ["https://example.org/logo.png"]
    assert json.loads(plain.xpath("//script[@type='application/ld+json']")[0].text)["image"] == [
        {"@type": "ImageObject", "url": "https://example.org/logo.png"}]


def test_orientation_is_applied_and_no_metadata_is_published(built):
    root, _ = built
    site = root / "site"
    expected = ImageOps.exif_transpose(Image.open(root / "static/media/port.jpg")).convert("RGB")
    assert b"PhoneCo" in (root / "static/media/port.jpg").read_bytes()
    published = [path for path in site.glob("media/*") if path.suffix in (".jpg", ".png", ".webp")]
    assert len(published) == 8 + 4 + 4       # port: 4 widths x 2 formats; chart: 2 x 2; map (WebP): 4
    for path in published:
        data = path.read_bytes()
        with Image.open(path) as image:
            assert dict(image.getexif()) == {}, path
            assert image.getexif().get_ifd(0x8825) == {}, path
            assert not {"exif", "xmp", "XML:com.adobe.xmp"} & set(image.info), path
        assert b"Exif" not in data and b"PhoneCo" not in data, path
    with Image.open(site / "media/port-480w-" f"{_key(site)}.jpg") as small:
        shown = expected.resize(small.size)
        for point in ((10, 10), (small.width - 10, 10), (10, small.height - 10), (small.width // 2, small.height - 40)):
            got, want = small.convert("RGB").getpixel(point), shown.getpixel(point)
            assert max(abs(a - b) for a, b in zip(got, want)) < 40, (point, got, want)


def _key(site: Path) -> str:
    return next(site.glob("media/port-480w-*.jpg")).name.split("-")[-1][:-4]


def test_jobs_and_start_methods_give_the_same_bytes(tmp_path):
    root = photo_project(tmp_path / "project")
    one = run_build(root, "--no-search", "--no-cache", "--jobs", "1", out=tmp_path / "one")
    spawned = run_build(root, "--no-search", "--no-cache", "--jobs", "2", out=tmp_path / "two",
                        env={"DATELINE_START_METHOD": "spawn"})
    assert one.returncode == 0 and spawned.returncode == 0, one.stderr + spawned.stderr
    assert ", 3 photos resized" in one.stdout and ", 3 photos resized" in spawned.stdout
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")


def test_a_photo_is_never_resized_twice(built, tmp_path):
    root, _ = built
    again = build_at(root, root / "site")
    assert (again.photos_resized, again.written) == (0, 0)
    # Another output folder: every page is rendered, the copies come from the photo cache.
    elsewhere = build_at(root, tmp_path / "elsewhere")
    assert elsewhere.photos_resized == 0 and elsewhere.rendered > 0
    assert read_tree(tmp_path / "elsewhere") == read_tree(root / "site")
    # An edited template: its pages again, no photo written.
    override_template(root, "article.html", lambda text: text + "{# edited #}\n")
    edited = build_at(root, root / "site")
    photo_files = [p for p in edited.written_paths if p.startswith("media/")]
    assert edited.photos_resized == 0 and photo_files == []
    # A changed photo is resized again, alone, and gets new copy names.
    write_file(root, "static/media/chart.png", photo_bytes(640, 320, "PNG"))
    changed = build_at(root, root / "site")
    assert changed.photos_resized == 1
    assert sorted(p for p in changed.written_paths if p.startswith("media/")) == sorted(
        ["media/chart.png", *(p.relative_to(root / "site").as_posix() for p in (root / "site").glob("media/chart-*"))])
    incremental = read_tree(root / "site")
    # --no-cache is a cold build: everything again, and the same site.
    assert build_at(root, root / "site", use_cache=False).photos_resized == 3
    assert read_tree(root / "site") == incremental


def test_the_site_image_stands_for_articles_without_one(tmp_path):
    root = photo_project(tmp_path / "project")
    with open(root / "site.yaml", "a", encoding="utf-8") as handle:
        handle.write("image: /media/map.webp\n")
    assert run_build(root, "--no-search").returncode == 0
    doc = page(root / "site", "2025/10/19/plain/index.html")
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert og["og:image"] == "https://example.org/media/map.webp"
    assert "og:image:width" not in og
    data = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["image"] == [{"@type": "ImageObject", "url": "https://example.org/media/map.webp"}]
    assert doc.xpath("//figure") == []          # shared, not shown


def test_photos_of_held_back_stories_are_not_published(tmp_path):
    root = photo_project(tmp_path / "project")
    write_file(root, "content/2025/later.md", article(
        "Later", "2025-12-01T08:00:00Z", extra="image: /media/later.jpg\nimage_alt: Later\n").encode())
    write_file(root, "static/media/later.jpg", photo_bytes(900, 600))
    early = run_build(root, "--no-search", "--now", "2025-11-01T00:00:00Z")
    assert early.returncode == 0, early.stderr
    assert not list((root / "site").glob("media/later*"))
    late = run_build(root, "--no-search", "--now", "2025-12-01T08:00:00Z")
    assert late.returncode == 0 and ", 1 photo resized" in late.stdout
    assert (root / "site/media/later.jpg").exists()


def test_a_scheduled_storys_missing_photo_is_found_before_it_is_due(tmp_path):
    root = photo_project(tmp_path / "project")
    write_file(root, "content/2025/later.md", article(
        "Later", "2025-12-01T08:00:00Z", extra="image: /media/not-yet.jpg\nimage_alt: Later\n").encode())
    result = run_build(root, "check", "--now", "2025-11-01T00:00:00Z")
    assert result.returncode == 1
    assert result.stderr.startswith("content/2025/later.md:5: image: /media/not-yet.jpg is not in static/")


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is width x height: a header, a few bytes of data, an end."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def broken_project(root: Path, image_line: str, body: str = "Text.\n") -> Path:
    return make_project(root, {"2025/a.md": article("A", extra=image_line, body=body),
                               "2025/b.md": article("B", "2025-10-01T10:00:00Z")})


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    root = broken_project(tmp_path, "image: /media/huge.png\nimage_alt: Huge\n")
    write_file(root, "static/media/huge.png", png_header(20_000, 20_000))
    # The build is started by a small Python of its own, which reports the
    # build's peak memory: Linux carries a process's peak across exec, so a
    # build forked straight from this (possibly large) test process would
    # start out at the test process's size.
    launcher = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:]); _, s, u = os.wait4(p.pid, 0); "
                "print(u.ru_maxrss, file=sys.stderr); sys.exit(os.waitstatus_to_exitcode(s))")
    process = subprocess.run([sys.executable, "-c", launcher, sys.executable, str(BUILD_PY), "--root", str(root),
                              "--jobs", "1"], capture_output=True, text=True)
    *lines, peak_kib = process.stderr.splitlines()
    stderr = "\n".join(lines)
    status = process.returncode
    assert status == 1
    assert stderr.splitlines()[0] == ("content/2025/a.md:5: image: /media/huge.png is 20,000 x 20,000 pixels, "
                                      "over the limit of 100 megapixels (resize it before adding it)")
    assert not (root / "site").exists()
    # 400 megapixels would be 1.2 GB decoded: the build never decodes it.
    assert int(peak_kib) * 1024 < 300 * 2**20, peak_kib


def test_a_bomb_just_over_the_limit_is_refused_too(tmp_path):
    root = broken_project(tmp_path, "", body="Text.\n\n![big](/media/big.png)\n")
    write_file(root, "static/media/big.png", png_header(10_001, 10_000))
    result = run_build(root)
    assert result.returncode == 1
    assert ("content/2025/a.md:8: image: /media/big.png is 10,001 x 10,000 pixels, over the limit of "
            "100 megapixels (resize it before adding it)") in result.stderr


@pytest.mark.parametrize("name, data, message", [
    ("garbage.jpg", b"not an image at all" * 20,
     "image: /media/garbage.jpg is not an image Pillow can read (damaged, or not JPEG, PNG, WebP, GIF or SVG)"),
    ("cut.jpg", photo_bytes(1200, 800)[:1500],
     "image: /media/cut.jpg cannot be decoded, the file is damaged: image file is truncated"),
    ("missing.jpg", None, "image: /media/missing.jpg is not in static/ or the theme's static files "
                          "(put the file there, or fix the path)"),
    ("plain.tiff", photo_bytes(300, 200, "TIFF"), "image: /media/plain.tiff is a TIFF image (use JPEG, PNG, WebP, "
                                                  "GIF or SVG)"),
], ids=["garbage", "truncated", "missing", "tiff"])
def test_broken_images_name_the_file_and_line(tmp_path, name, data, message):
    root = broken_project(tmp_path, "", body=f"Text.\n\nMore.\n\n![photo](/media/{name})\n")
    if data is not None:
        write_file(root, f"static/media/{name}", data)
    # A good build first: a failed one must leave it as it was.
    write_file(root, "content/2025/a.md", article("A", body="Text.\n").encode())
    assert run_build(root, "--no-search").returncode == 0
    before = read_tree(root / "site")
    write_file(root, "content/2025/a.md", article("A", body=f"Text.\n\nMore.\n\n![photo](/media/{name})\n").encode())
    result = run_build(root, "--no-search")
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith(f"content/2025/a.md:10: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert read_tree(root / "site") == before


def test_check_reports_image_problems_without_building(tmp_path):
    root = broken_project(tmp_path, "image: /media/garbage.png\nimage_alt: G\n")
    write_file(root, "static/media/garbage.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    result = run_build(root, "check")
    assert result.returncode == 1
    assert result.stderr.startswith("content/2025/a.md:5: image: /media/garbage.png ")
    assert not (root / "site").exists()


def test_svg_and_gif_are_published_as_they_are_with_their_size(tmp_path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360"/></svg>'
    gif = io.BytesIO()
    Image.new("P", (90, 60)).save(gif, "GIF")
    root = broken_project(tmp_path, "image: /media/chart.svg\nimage_alt: Chart\n",
                          body="Text.\n\n![anim](/media/anim.gif)\n")
    write_file(root, "static/media/chart.svg", svg)
    write_file(root, "static/media/anim.gif", gif.getvalue())
    result = run_build(root, "--no-search")
    assert result.returncode == 0, result.stderr
    assert (root / "site/media/chart.svg").read_bytes() == svg
    assert (root / "site/media/anim.gif").read_bytes() == gif.getvalue()
    doc = page(root / "site", "2025/10/25/a/index.html")
    hero = doc.xpath("//figure[@class='hero']/img")[0]
    assert (hero.get("src"), hero.get("width"), hero.get("height"), hero.get("srcset")) == (
        "/media/chart.svg", "640", "360", None)
    body = doc.xpath("//div[@class='article-body']//img")[0]
    assert (body.get("width"), body.get("height"), body.get("loading")) == ("90", "60", "lazy")
    assert "photos resized" not in result.stdout


def test_photo_pages_are_valid_html(built):
    from test_html_valid import run_vnu

    root, _ = built
    errors = run_vnu(root / "site" / "2025")
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e.get('message')}" for e in errors[:20])
