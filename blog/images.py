"""Featured images: validation against oversized files and decompression bombs, and
renditions sized for the page."""

import logging
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
RENDITION_WIDTHS = (720, 1440)

logger = logging.getLogger(__name__)


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
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}-{width}w.webp"))


def rendition_url(name: str, width: int) -> str:
    """The URL of a rendition, making it the first time it is asked for."""
    target = rendition_name(name, width)
    if not default_storage.exists(target):
        make_rendition(name, width)
    return default_storage.url(target)


def renditions(name: str, original_width: int | None) -> list[tuple[str, int]]:
    """(url, width) pairs for an image's srcset, narrowest first; [] if they cannot be made.

    Renditions are never wider than the original. A failure (missing file, disk full)
    is logged and the page falls back to the original image.
    """
    widths = [w for w in RENDITION_WIDTHS if not original_width or w < original_width]
    try:
        return [(rendition_url(name, width), width) for width in widths]
    except Exception:
        logger.exception("Could not make renditions of %s", name)
        return []


def make_rendition(name: str, width: int) -> str:
    target = rendition_name(name, width)
    with default_storage.open(name, "rb") as source, Image.open(source) as image:
        image.thumbnail((width, width * 4))
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        buffer = BytesIO()
        image.save(buffer, format="WEBP", quality=82)
    if default_storage.exists(target):
        default_storage.delete(target)
    default_storage.save(target, ContentFile(buffer.getvalue()))
    return target
