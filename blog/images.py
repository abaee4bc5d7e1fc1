"""Featured images: validation against oversized files and decompression bombs, and
renditions sized for the page.

Renditions are made once, by whichever server is first asked for them, and kept in the
same storage as the original (the local disk, or a bucket that every server shares).
"""

import logging
import time
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
RENDITION_WIDTHS = (720, 1440)
# Longer than making one rendition takes; a server that dies holding the lock only
# delays the rendition by this long.
RENDITION_LOCK_SECONDS = 60
# How long a request waits for another server to finish a rendition before it shows
# the original instead.
RENDITION_WAIT_SECONDS = 5
# How long a server trusts that a rendition it has seen is still there, so that pages
# do not ask the storage (a request each, on a bucket) every time they are rendered.
KNOWN_RENDITION_SECONDS = 24 * 60 * 60

logger = logging.getLogger(__name__)


class RenditionNotReady(Exception):
    """Another server is still making the rendition."""


def validate_image(file) -> None:
    """Refuse anything that is not a reasonably sized JPEG, PNG, GIF or WebP image.

    The pixel count is read from the header before any decoding, so a tiny file that
    would expand to gigabytes of bitmap is refused without being decoded.
    """
    if getattr(file, "_committed", False):
        # The stored image of a post being edited: checked when it was uploaded, and
        # its file is not open to be read again.
        return
    max_bytes = settings.BLOG_IMAGE_MAX_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            f"This file is {filesizeformat(file.size)}; images may be at most "
            f"{filesizeformat(max_bytes)}."
        )
    max_pixels = settings.BLOG_IMAGE_MAX_PIXELS
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            width, height = image.size
            image_format = image.format
            if width * height > max_pixels:
                raise ValidationError(
                    f"This image is {width}×{height} pixels; images may have at most "
                    f"{max_pixels:,} pixels."
                )
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise ValidationError("Upload a JPEG, PNG, GIF or WebP image.") from None
    finally:
        file.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError("Upload a JPEG, PNG, GIF or WebP image.")


def rendition_name(name: str, width: int) -> str:
    """photo.png at 720 px is photo-png-720w.webp: the original's type is in the name, so
    photo.png and photo.jpg uploaded in the same month never share renditions."""
    path = PurePosixPath(name)
    kind = path.suffix.lstrip(".").lower() or "image"
    return str(path.with_name(f"{path.stem}-{kind}-{width}w.webp"))


def rendition_url(name: str, width: int) -> str:
    """The URL of a rendition, making it the first time any server is asked for it.

    Raises FileNotFoundError when the original is missing.
    """
    target = rendition_name(name, width)
    known = f"blog:rendition:{target}"
    if not cache.get(known):
        ensure_rendition(name, width)
        cache.set(known, True, KNOWN_RENDITION_SECONDS)
    return default_storage.url(target)


def renditions(name: str, original_width: int | None) -> list[tuple[str, int]]:
    """(url, width) pairs for an image's srcset, narrowest first; [] if they cannot be made.

    Renditions are never wider than the original. A failure (disk full, storage down)
    is logged and the page falls back to the original image. A missing original raises
    FileNotFoundError: there is nothing to show.
    """
    widths = [w for w in RENDITION_WIDTHS if not original_width or w < original_width]
    try:
        return [(rendition_url(name, width), width) for width in widths]
    except FileNotFoundError:
        raise
    except RenditionNotReady:
        logger.info("Renditions of %s are still being made; showing the original", name)
        return []
    except Exception:
        logger.exception("Could not make renditions of %s", name)
        return []


def ensure_rendition(name: str, width: int) -> None:
    """Make a rendition unless it exists, with a lock in the shared cache so that servers
    asked at the same moment make it once between them."""
    target = rendition_name(name, width)
    if default_storage.exists(target):
        return
    lock = f"blog:rendition-lock:{target}"
    if cache.add(lock, True, RENDITION_LOCK_SECONDS):
        try:
            # Another server may have finished it between the check and the lock.
            if not default_storage.exists(target):
                make_rendition(name, width)
        finally:
            cache.delete(lock)
        return
    deadline = time.monotonic() + RENDITION_WAIT_SECONDS
    while cache.get(lock) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not default_storage.exists(target):
        raise RenditionNotReady(target)


def make_rendition(name: str, width: int) -> str:
    """Write the rendition of `name` at `width`; raises FileNotFoundError without the original."""
    target = rendition_name(name, width)
    with default_storage.open(name, "rb") as source, Image.open(source) as image:
        image.thumbnail((width, width * 4))
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        buffer = BytesIO()
        image.save(buffer, format="WEBP", quality=82)
    # Never delete and then save: between the two, pages would point at nothing.
    saved = default_storage.save(target, ContentFile(buffer.getvalue()))
    if saved != target:
        # A server without the shared lock wrote it meanwhile, and the storage gave this
        # copy another name: pages use the one at `target`, so this one goes.
        default_storage.delete(saved)
    return target
