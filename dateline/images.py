"""News photos: every local image an article shows, resized and cleaned.

A photo (JPEG, PNG or WebP under static/) used as an article's `image` or in
its body is published as resized copies, never as the file itself:

- widths of `WIDTHS` up to the photo's own (never upscaled), in WebP and in
  the photo's own format; the largest copy in its own format is published at
  the photo's own path (`/media/kl.jpg`), so old links keep working;
- EXIF orientation applied to the pixels, then every piece of metadata
  dropped (EXIF, GPS, XMP, comments): reporters' phones record where they
  stood. Only the colour profile is kept;
- photos over `MAX_PIXELS` are refused from their header, before a pixel is
  decoded (a 20,000 x 20,000 PNG is 1.6 GB once decoded).

GIF and SVG images are published as they are, with their size read from the
header. Which copies a photo gets is a pure function of its header (`ImageInfo`)
and the settings here, so pages are planned before any pixel is processed, and
the processing itself (`derive_photo`) runs in worker processes from plain,
picklable values.
"""
from __future__ import annotations

import hashlib
import html
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError, features

from .urls import photo_variant_path

# Bump when the bytes of derived photos change for the same settings.
IMAGE_VERSION = "1"
WIDTHS = (480, 800, 1200, 1600)
SHARE_WIDTH = 1200          # og:image and JSON-LD: what social cards and search engines want
# 100 megapixels: above any camera a newsroom files from (a 48 MP phone photo
# is 8064 x 6048), and at most ~400 MB decoded in a worker.
MAX_PIXELS = 100_000_000
# Pillow warns above MAX_IMAGE_PIXELS and refuses twice that; its own default
# (~89 MP) would refuse photos under our limit, so it is set to ours for the
# process (the build is the only user of Pillow in it).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True}
WEBP_OPTIONS = {"quality": 80, "method": 4}
PNG_OPTIONS = {"optimize": False, "compress_level": 9}
# The article column is at most 42rem wide (--measure in site.css) inside the
# page's 1rem margins: the width the browser picks a copy for.
SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"

# format -> (file extension, media type) of the formats resized
RESIZED = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
AS_IS = {"GIF": "image/gif", "SVG": "image/svg+xml"}
_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "svg": "SVG"}
_ORIENTATION = 0x0112
_SWAPPED = (5, 6, 7, 8)     # orientations that turn the picture a quarter


@dataclass(frozen=True)
class ImageInfo:
    """What an image's header says: enough to plan its copies."""
    format: str             # a key of RESIZED or AS_IS
    width: int              # as shown, orientation applied
    height: int


@dataclass(frozen=True)
class Variant:
    path: str               # site path
    width: int
    height: int
    media_type: str


@dataclass(frozen=True)
class Photo:
    """A local image as published: its own path and its resized copies."""
    path: str               # site path as written ("/media/kl.jpg")
    key: str                # digest of its bytes and the settings: keys its job and names its copies
    info: ImageInfo
    variants: tuple[Variant, ...] = ()      # () when published as it is (GIF, SVG)

    @property
    def width(self) -> int:
        return self.variants[-1].width if self.variants else self.info.width

    @property
    def height(self) -> int:
        return self.variants[-1].height if self.variants else self.info.height

    @property
    def media_type(self) -> str:
        return RESIZED[self.info.format][1] if self.info.format in RESIZED else AS_IS[self.info.format]

    @property
    def share(self) -> Variant:
        """The copy for og:image and JSON-LD: SHARE_WIDTH wide in the photo's own
        format (WebP is not read by every card renderer), or the largest there is."""
        own = [v for v in self.variants if v.media_type == self.media_type]
        for variant in own:
            if variant.width == SHARE_WIDTH:
                return variant
        return own[-1] if own else Variant(self.path, self.info.width, self.info.height, self.media_type)


@dataclass(frozen=True)
class Picture:
    """What a page shows for one photo: links already made for the site."""
    src: str
    width: int              # 0 when unknown (a remote image)
    height: int
    srcset: str = ""        # the photo's own format
    sources: tuple[tuple[str, str], ...] = ()   # (media type, srcset) offered before it (WebP)
    sizes: str = SIZES


def settings_digest() -> str:
    """Everything besides a photo's bytes that its copies depend on."""
    parts = (IMAGE_VERSION, repr(WIDTHS), repr(sorted(JPEG_OPTIONS.items())), repr(sorted(WEBP_OPTIONS.items())),
             repr(sorted(PNG_OPTIONS.items())), Image.__version__, str(features.version("jpg")),
             str(features.version("webp")), str(features.version("zlib")))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def photo_key(source_sha: str, settings: str) -> str:
    return hashlib.sha256(f"{settings}\0{source_sha}".encode()).hexdigest()


class ImageProblem(Exception):
    """An image that cannot be published: why, and what to do (the caller says where)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def read_info(path: Path) -> ImageInfo:
    """The header of a local image, without decoding it. Raises ImageProblem."""
    kind = _EXTENSIONS.get(path.suffix.lower().lstrip("."))
    if kind == "SVG":
        import imagesize    # here: it loads urllib.request, which a build without SVGs never needs
        try:
            width, height = imagesize.get(str(path))
        except (OSError, ValueError) as error:
            raise ImageProblem(f"cannot be read: {error}") from None
        if width <= 0 or height <= 0:
            raise ImageProblem("SVG without width and height", "give the <svg> element width and height")
        return ImageInfo("SVG", round(width), round(height))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                found = image.format
                orientation = image.getexif().get(_ORIENTATION, 1) if found in RESIZED else 1
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(_too_large(path), "resize it before adding it") from None
    except UnidentifiedImageError:
        raise ImageProblem("is not an image Pillow can read (damaged, or not JPEG, PNG, WebP, GIF or SVG)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageProblem(f"cannot be read: {error}") from None
    if found not in RESIZED and found not in AS_IS:
        raise ImageProblem(f"is a {found} image", "use JPEG, PNG, WebP, GIF or SVG")
    if width * height > MAX_PIXELS:
        raise ImageProblem(f"is {width:,} x {height:,} pixels, over the limit of {MAX_PIXELS // 1_000_000} "
                           "megapixels", "resize it before adding it")
    if orientation in _SWAPPED:
        width, height = height, width
    return ImageInfo(found, width, height)


def _too_large(path: Path) -> str:
    import imagesize
    try:
        width, height = imagesize.get(str(path))
        return f"is {int(width):,} x {int(height):,} pixels, over the limit of {MAX_PIXELS // 1_000_000} megapixels"
    except (OSError, ValueError):
        return f"is over the limit of {MAX_PIXELS // 1_000_000} megapixels"


def plan_photo(path: str, key: str, info: ImageInfo) -> Photo:
    """The copies a photo gets: a pure function of its header and the settings."""
    if info.format not in RESIZED:
        return Photo(path, key, info)
    largest = min(info.width, WIDTHS[-1])
    widths = [w for w in WIDTHS if w < largest] + [largest]
    extension, media_type = RESIZED[info.format]
    variants = []
    formats = [("webp", "image/webp")] if info.format != "WEBP" else []
    for ext, kind in formats + [(extension, media_type)]:
        for width in widths:
            height = max(1, round(width * info.height / info.width))
            own_largest = kind == media_type and width == largest
            site_path = path if own_largest else photo_variant_path(path, key, width, ext)
            variants.append(Variant(site_path, width, height, kind))
    # WebP first, the photo's own format last, each from small to large: the
    # last variant is the photo's own path, at its largest.
    return Photo(path, key, info, tuple(variants))


def picture(photo: Photo, link) -> Picture:
    """A Photo as a page shows it; `link` turns site paths into the site's links."""
    if not photo.variants:
        return Picture(link(photo.path), photo.width, photo.height)

    def srcset(media_type: str) -> str:
        return ", ".join(f"{link(v.path)} {v.width}w" for v in photo.variants if v.media_type == media_type)

    others = tuple(dict.fromkeys(v.media_type for v in photo.variants if v.media_type != photo.media_type))
    return Picture(link(photo.path), photo.width, photo.height, srcset(photo.media_type),
                   tuple((kind, srcset(kind)) for kind in others))


# -- body images -----------------------------------------------------------------

# An <img> of a rendered body whose src is a site path: written by Markdown as
# the root placeholder (see markup.py), or by hand in raw HTML.
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
ROOT_PLACEHOLDER = "dateline:root:"


def _attributes(tag: str) -> list[tuple[str, str | None]]:
    inner = tag[4:].rstrip(">").rstrip("/")
    return [(m.group(1).lower(), next((g for g in m.group(2, 3, 4) if g is not None), None))
            for m in _ATTRIBUTE.finditer(inner)]


def _site_path(src: str | None) -> str:
    if not src:
        return ""
    if src.startswith(ROOT_PLACEHOLDER):
        src = src[len(ROOT_PLACEHOLDER):]
    return src if src.startswith("/") and not src.startswith("//") else ""


def body_images(html_text: str) -> tuple[str, ...]:
    """Site paths of the local images a rendered body shows, in order, once each."""
    found = []
    for tag in _IMG.findall(html_text):
        path = _site_path(dict(_attributes(tag)).get("src"))
        if path:
            found.append(path.split("?", 1)[0].split("#", 1)[0])
    return tuple(dict.fromkeys(found))


def rewrite_body_images(html_text: str, pictures: dict[str, Picture]) -> str:
    """Every local <img> of a body as its Picture: a <picture> with WebP offered
    first, srcset, sizes, width and height, and loading="lazy" decoding="async"
    (a body image is below the headline and the hero). Attributes the writer
    gave (alt, title, class, a width and height of their own) are kept."""
    def replace(match: re.Match) -> str:
        tag = match.group(0)
        attributes = _attributes(tag)
        given = dict(attributes)
        path = _site_path(given.get("src"))
        shown = pictures.get(path.split("?", 1)[0].split("#", 1)[0]) if path else None
        if shown is None:
            return tag
        ours = {"src": shown.src}
        if shown.srcset:
            ours.update(srcset=shown.srcset, sizes=shown.sizes)
        if not ("width" in given and "height" in given) and shown.width:
            ours.update(width=str(shown.width), height=str(shown.height))
        ours.setdefault("loading", given.get("loading") or "lazy")
        ours.setdefault("decoding", given.get("decoding") or "async")
        kept = [(name, value) for name, value in attributes if name not in ours and name not in ("srcset", "sizes")]
        if "width" in ours:
            kept = [(name, value) for name, value in kept if name not in ("width", "height")]
        escaped = [(name, html.escape(value, quote=True)) for name, value in ours.items()]
        img = "<img" + "".join(_attribute_html(name, value) for name, value in kept + escaped) + ">"
        if not shown.sources:
            return img
        sources = "".join(f'<source type="{kind}" srcset="{html.escape(srcset, quote=True)}" '
                          f'sizes="{html.escape(shown.sizes, quote=True)}">' for kind, srcset in shown.sources)
        return f"<picture>{sources}{img}</picture>"

    return _IMG.sub(replace, html_text)


def _attribute_html(name: str, value: str | None) -> str:
    if value is None:
        return f" {name}"
    return f' {name}="{value}"' if '"' not in value else f" {name}='{value}'"


# -- processing (in worker processes) -------------------------------------------------

@dataclass(frozen=True)
class PhotoTask:
    """One photo to resize, as sent to a worker: plain values only."""
    file: str               # the source file
    sha: str                # sha256 of the bytes planned from
    photo: Photo


def derive_photo(task: PhotoTask) -> tuple[tuple[str, bytes], ...]:
    """Every copy of a photo as (site path, bytes); raises ImageProblem.

    Decodes once, at the smallest scale JPEG allows for the largest copy
    (`draft`), applies the EXIF orientation, then makes each width from the
    one above it. Nothing of the source's metadata but its colour profile is
    written."""
    try:
        data = Path(task.file).read_bytes()
    except OSError as error:
        raise ImageProblem(f"cannot be read: {error.strerror or error}") from None
    if hashlib.sha256(data).hexdigest() != task.sha:
        raise ImageProblem("changed while the site was being built", "build again")
    photo = task.photo
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageProblem(f"is {image.width:,} x {image.height:,} pixels, over the limit of "
                                       f"{MAX_PIXELS // 1_000_000} megapixels")
                icc_profile = image.info.get("icc_profile")
                largest = photo.variants[-1]
                if image.format == "JPEG":
                    quarter = image.getexif().get(_ORIENTATION, 1) in _SWAPPED
                    image.draft(image.mode, (largest.height, largest.width) if quarter else
                                (largest.width, largest.height))
                shown = _pixels(ImageOps.exif_transpose(image))
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"is over the limit of {MAX_PIXELS // 1_000_000} megapixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageProblem(f"cannot be decoded, the file is damaged: {error}") from None
    outputs = []
    resized: dict[int, Image.Image] = {}
    source = shown
    for width in sorted({v.width for v in photo.variants}, reverse=True):
        height = next(v.height for v in photo.variants if v.width == width)
        if (width, height) != source.size:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        resized[width] = source
    for variant in photo.variants:
        outputs.append((variant.path, _encode(resized[variant.width], variant.media_type, icc_profile)))
    return tuple(outputs)


def _pixels(image: Image.Image) -> Image.Image:
    """Decoded pixels in a mode every output format takes, with no metadata left.
    `image` is ours to change (exif_transpose returns a new image)."""
    image.load()
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    converted = image.convert("RGBA" if has_alpha else "RGB") if image.mode not in ("RGB", "RGBA", "L") else image
    converted.info = {}
    return converted


def _encode(image: Image.Image, media_type: str, icc_profile: bytes | None) -> bytes:
    buffer = io.BytesIO()
    profile = {"icc_profile": icc_profile} if icc_profile else {}
    if media_type == "image/jpeg":
        if image.mode == "RGBA":
            image = image.convert("RGB")
        image.save(buffer, "JPEG", **JPEG_OPTIONS, **profile)
    elif media_type == "image/webp":
        image.save(buffer, "WEBP", **WEBP_OPTIONS, **profile)
    else:
        image.save(buffer, "PNG", **PNG_OPTIONS, **profile)
    return buffer.getvalue()
