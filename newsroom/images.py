"""Upload checks and renditions for editorial images.

An upload is checked in the order that keeps the server safe: byte size first,
then the header (format and pixel dimensions, which Pillow reads without
decoding the pixel data), and only then is the image decoded.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
RENDITION_FORMAT = "WEBP"
RENDITION_QUALITY = 80


def check_upload(upload) -> tuple[int, int]:
    """Refuse an upload that is too large, not an image, or has too many pixels.

    Returns the (width, height) read from the header. Raises ValidationError
    with a message an editor can act on.
    """
    max_bytes = settings.DATELINE_IMAGE_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s. Export a smaller version and upload that.",
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        # Image.open reads only the header; pixel data is not decoded here.
        with PILImage.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "This file is not an image Dateline can read. Upload a JPEG, PNG, WebP or GIF.",
            code="not_an_image",
        ) from None
    except PILImage.DecompressionBombError:
        raise _too_many_pixels(None, None) from None
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="bad_format",
            params={"format": fmt or "This kind of"},
        )
    if width * height > settings.DATELINE_IMAGE_MAX_PIXELS:
        raise _too_many_pixels(width, height)
    return width, height


def _too_many_pixels(width, height) -> ValidationError:
    limit = settings.DATELINE_IMAGE_MAX_PIXELS
    dims = f"{width} × {height} pixels" if width else "too many pixels"
    return ValidationError(
        "This image is %(dims)s; the limit is %(limit)s megapixels. Resize it and upload again.",
        code="too_many_pixels",
        params={"dims": dims, "limit": f"{limit / 1_000_000:g}"},
    )


class SafeImageFormField(forms.ImageField):
    """An image field that runs the cheap checks before Django decodes the file."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        check_upload(data)
        return super().to_python(data)


class SafeImageField(models.ImageField):
    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", SafeImageFormField)
        return super().formfield(**kwargs)


def build_renditions(file_name: str) -> dict[str, dict]:
    """Write WebP renditions of a stored image at the configured widths.

    Widths larger than the original are skipped (the largest rendition is the
    original size). Returns the mapping stored on the Image row.
    """
    renditions: dict[str, dict] = {}
    with default_storage.open(file_name, "rb") as handle, PILImage.open(handle) as original:
        original.load()
        source = original.convert("RGBA" if original.mode in ("RGBA", "LA", "P") else "RGB")
    stem = PurePosixPath(file_name)
    widths = sorted({w for w in settings.DATELINE_IMAGE_RENDITION_WIDTHS if w < source.width})
    widths.append(source.width)
    for width in widths:
        height = max(1, round(source.height * width / source.width))
        resized = source if width == source.width else source.resize((width, height), PILImage.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, RENDITION_FORMAT, quality=RENDITION_QUALITY, method=4)
        name = f"renditions/{stem.parent.name}/{stem.stem}-{width}w.webp"
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(buffer.getvalue()))
        renditions[str(width)] = {"file": stored, "width": width, "height": height}
    return renditions
