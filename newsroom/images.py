"""Upload checks and renditions for editorial images.

An upload is checked in the order that keeps the server safe: byte size first,
then the header (format and pixel dimensions, which Pillow reads without
decoding the pixel data), and only then is the image decoded, once, within a
memory budget:

- JPEG is decoded through ``draft()``, which lets the decoder scale by 1/2, 1/4
  or 1/8 while it reads, so a 40-megapixel photograph is never held at full
  size when the largest rendition is 2,400 pixels wide;
- other formats are decoded in full (they cannot be scaled while read), which
  the pixel limit bounds, then shrunk with ``reduce`` before any other copy;
- the largest rendition is at most ``DATELINE_IMAGE_LARGEST_RENDITION`` wide: a
  reader's screen never needs the camera's full resolution, and encoding it was
  most of the time an upload took.

A file that fails to decode (truncated, corrupt) is refused with a message on
the form; the model refuses it before anything is stored, so no file is left
behind. Renditions follow the picture's EXIF orientation, and are named after
the stored original's path, which storage keeps unique.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError, features

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
RENDITION_FORMAT = "WEBP"
RENDITION_QUALITY = 80
# AVIF beside WebP: about a fifth smaller for photographs at the same look. Speed 7 of libavif's 0-10 keeps an
# upload's encoding near a second for the widest rendition; slower speeds saved little more.
AVIF_QUALITY = 55
AVIF_SPEED = 7
# WebP cannot hold a side longer than this.
WEBP_MAX_SIDE = 16383
# Modes that can be resized as they are; the rest are converted first (a palette would be resized pixel by pixel).
RESIZABLE_MODES = {"RGB", "RGBA", "L", "LA"}

NOT_AN_IMAGE = "This file is not an image Dateline can read. Upload a JPEG, PNG, WebP or GIF."
DAMAGED = (
    "This image file is damaged or incomplete, so it cannot be shown (%(detail)s). "
    "Export it again from the original and upload the new file."
)


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
        with _open(upload) as probe:
            return probe.size
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)


def _open(source) -> PILImage.Image:
    """Open an image reading only its header, refusing unknown formats and too many pixels."""
    try:
        # Image.open reads only the header; pixel data is not decoded here.
        image = PILImage.open(source)
    except PILImage.DecompressionBombError:
        raise _too_many_pixels(None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    # A refused image is dropped without close(), which would also close the caller's file.
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="bad_format",
            params={"format": image.format or "This kind of"},
        )
    width, height = image.size
    limit = pixel_limit(image.format)
    if width * height > limit:
        raise _too_many_pixels(width, height, limit)
    return image


def pixel_limit(image_format: str | None) -> int:
    """JPEG is decoded scaled down, so it may have more pixels than formats that are decoded in full."""
    if image_format == "JPEG":
        return settings.DATELINE_IMAGE_MAX_PIXELS_JPEG
    return settings.DATELINE_IMAGE_MAX_PIXELS


def _too_many_pixels(width, height, limit=None) -> ValidationError:
    limit = limit or settings.DATELINE_IMAGE_MAX_PIXELS
    dims = f"{width} × {height} pixels" if width else "too many pixels"
    return ValidationError(
        "This image is %(dims)s; the limit is %(limit)s megapixels. Resize it and upload again.",
        code="too_many_pixels",
        params={"dims": dims, "limit": f"{limit / 1_000_000:g}"},
    )


@dataclass
class Decoded:
    """A picture decoded for renditions, turned the way it is meant to be seen."""

    image: PILImage.Image
    width: int  # the original's size as displayed, after its EXIF orientation
    height: int


def decode(source) -> Decoded:
    """Decode ``source`` (a file object) within the memory budget, or raise ValidationError.

    Decoding reads every byte of the picture, so a truncated or corrupt file fails
    here, before anything is stored.
    """
    if hasattr(source, "seek"):
        source.seek(0)
    largest = settings.DATELINE_IMAGE_LARGEST_RENDITION
    with _open(source) as opened:
        stored_width, stored_height = opened.size
        turned = _exif_turns_sideways(opened)
        width, height = (stored_height, stored_width) if turned else (stored_width, stored_height)
        # Only the displayed width decides the renditions' sizes; it is the stored height when turned.
        needed = (1, largest) if turned else (largest, 1)
        try:
            if opened.format == "JPEG":
                # Scaled by 1/2, 1/4 or 1/8 while decoding, to no less than the largest rendition needs.
                opened.draft("RGB", needed)
            opened.load()
            image = _shrink(opened, needed)
            if _orientation(image) not in (None, 1):
                image = ImageOps.exif_transpose(image)
        except MemoryError:
            raise
        except PILImage.DecompressionBombError:
            raise _too_many_pixels(stored_width, stored_height, pixel_limit(opened.format)) from None
        except Exception as error:  # noqa: BLE001 - any decoder failure means the file cannot be used
            raise ValidationError(DAMAGED, code="damaged_image", params={"detail": _describe(error)}) from None
        finally:
            if hasattr(source, "seek"):
                source.seek(0)
    return Decoded(image=image, width=width, height=height)


def _orientation(image: PILImage.Image) -> int | None:
    try:
        return image.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - a broken EXIF block is ignored, as browsers do
        return None


def _exif_turns_sideways(image: PILImage.Image) -> bool:
    return _orientation(image) in (5, 6, 7, 8)


def _shrink(image: PILImage.Image, needed: tuple[int, int]) -> PILImage.Image:
    """A copy no larger than the largest rendition needs, in a mode that resizes smoothly."""
    if image.mode not in RESIZABLE_MODES:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    factor = min(image.width // needed[0], image.height // needed[1])
    if factor >= 2:
        # Whole-number reduction is cheap and keeps the image sharp; the renditions resize from here.
        image = image.reduce(factor)
    if image.mode in ("L", "LA"):
        image = image.convert("RGBA" if image.mode == "LA" else "RGB")
    return image


def _describe(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:120]


@dataclass
class Rendition:
    width: int
    height: int
    data: bytes
    avif: bytes | None = None


def avif_enabled() -> bool:
    """AVIF renditions are made when the settings ask for them and this Pillow can write them."""
    return getattr(settings, "DATELINE_IMAGE_AVIF", True) and features.check("avif")


def _encode(image: PILImage.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "AVIF":
        image.save(buffer, "AVIF", quality=AVIF_QUALITY, speed=AVIF_SPEED)
    else:
        image.save(buffer, image_format, quality=RENDITION_QUALITY, method=4)
    return buffer.getvalue()


def rendition_sizes(decoded: Decoded) -> list[tuple[int, int]]:
    """(width, height) of each rendition: the configured widths, the widest no larger than the original or budget."""
    widest = min(decoded.width, settings.DATELINE_IMAGE_LARGEST_RENDITION)
    widths = sorted({w for w in settings.DATELINE_IMAGE_RENDITION_WIDTHS if w < widest} | {widest})
    sizes = []
    for width in widths:
        height = max(1, round(decoded.height * width / decoded.width))
        if height > WEBP_MAX_SIDE:
            width, height = max(1, round(width * WEBP_MAX_SIDE / height)), WEBP_MAX_SIDE
        sizes.append((width, height))
    return sizes


def _resized(source: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    return source if size == source.size else source.resize(size, PILImage.LANCZOS, reducing_gap=3.0)


def render(decoded: Decoded, *, avif: bool | None = None) -> list[Rendition]:
    """WebP renditions, and AVIF ones beside them when enabled, at the sizes ``rendition_sizes`` gives."""
    avif = avif_enabled() if avif is None else avif
    renditions = []
    for width, height in rendition_sizes(decoded):
        resized = _resized(decoded.image, (width, height))
        renditions.append(
            Rendition(
                width=width,
                height=height,
                data=_encode(resized, RENDITION_FORMAT),
                avif=_encode(resized, "AVIF") if avif else None,
            )
        )
    return renditions


@dataclass
class Prepared:
    """What an upload turns into before anything is stored: its displayed size and its renditions."""

    width: int
    height: int
    renditions: list[Rendition]


# The attribute under which the form leaves its work on the upload, so the model does not decode it again.
PREPARED_ATTRIBUTE = "dateline_prepared"


def prepare(source) -> Prepared:
    """Decode ``source`` within the memory budget and render its renditions; ValidationError if it cannot be."""
    decoded = decode(source)
    renditions = render(decoded)
    return Prepared(width=decoded.width, height=decoded.height, renditions=renditions)


def rendition_name(file_name: str, width: int, extension: str = "webp") -> str:
    """``images/2026/04/harbour.jpg`` at 480 wide -> ``renditions/images/2026/04/harbour-480w.webp``.

    Named after the original's whole stored path, which storage keeps unique, so
    two uploads called harbour.jpg never share (or overwrite) renditions.
    """
    stem = PurePosixPath(file_name).with_suffix("")
    return f"renditions/{stem}-{width}w.{extension}"


def _save(storage, name: str, data: bytes) -> str:
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def _written(stored: dict[str, dict]) -> list[str]:
    return [name for entry in stored.values() for name in (entry.get("file"), entry.get("avif")) if name]


def store_renditions(storage, file_name: str, renditions: list[Rendition]) -> dict[str, dict]:
    """Write the renditions beside each other and return the mapping stored on the Image row.

    Each width's entry names its WebP ``file`` and, when one was made, its ``avif``.
    """
    stored: dict[str, dict] = {}
    try:
        for rendition in renditions:
            entry = {"width": rendition.width, "height": rendition.height}
            stored[str(rendition.width)] = entry
            entry["file"] = _save(storage, rendition_name(file_name, rendition.width), rendition.data)
            if rendition.avif is not None:
                entry["avif"] = _save(storage, rendition_name(file_name, rendition.width, "avif"), rendition.avif)
    except Exception:
        delete_files(storage, _written(stored))
        raise
    return stored


def add_avif(storage, file_name: str, renditions: dict[str, dict]) -> dict[str, dict]:
    """``renditions`` with an AVIF beside every WebP that lacks one, for images stored before AVIF was made.

    The original is decoded under the same budget as an upload; the WebP files are left as they are.
    """
    missing = {key: entry for key, entry in renditions.items() if not entry.get("avif")}
    if not missing:
        return renditions
    with storage.open(file_name, "rb") as handle:
        decoded = decode(handle)
    updated = {key: dict(entry) for key, entry in renditions.items()}
    written: list[str] = []
    try:
        for key, entry in missing.items():
            resized = _resized(decoded.image, (entry["width"], entry["height"]))
            name = _save(storage, rendition_name(file_name, entry["width"], "avif"), _encode(resized, "AVIF"))
            written.append(name)
            updated[key]["avif"] = name
    except Exception:
        delete_files(storage, written)
        raise
    return updated


def delete_files(storage, names) -> None:
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)


class MediaStorageUnavailable(OSError):
    """The media storage (the disk, or the bucket of MEDIA_STORAGE_URL) failed while an image was stored.

    Raised in place of the storage's own error (an OSError, or botocore's when the bucket cannot be reached),
    after what was written has been removed where the storage still allows it. Its message is for an editor:
    what went wrong in a few words, that nothing was saved, and what to do.
    """

    @classmethod
    def from_error(cls, error: BaseException) -> MediaStorageUnavailable:
        return cls(
            f"The image could not be stored ({_storage_failure(error)}), so nothing was saved. "
            "Choose the file again and save in a minute; if it keeps failing, tell the site's administrator."
        )


def _storage_failure(error: BaseException) -> str:
    """A few words on why a storage failed: the system's own for a disk, and no addresses or keys for a bucket."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    try:
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
    except ImportError:
        return "the media storage failed"
    if isinstance(error, (ConnectionError, HTTPClientError)):
        return "the media storage did not answer"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return f"the media storage refused it: {code}" if code else "the media storage refused it"
    return "the media storage failed"


def delete_files_quietly(storage, names) -> None:
    """``delete_files`` for clearing up after a failed store: a storage that still fails is logged, not raised."""
    try:
        delete_files(storage, names)
    except Exception:
        logger.warning("media storage: could not remove %s after a failed store", ", ".join(map(str, names)))


def build_renditions(file_name: str, storage=None) -> dict[str, dict]:
    """Decode a stored image and write its renditions (for images already in storage)."""
    from django.core.files.storage import default_storage

    storage = storage or default_storage
    with storage.open(file_name, "rb") as handle:
        decoded = decode(handle)
    return store_renditions(storage, file_name, render(decoded))


class SafeImageFormField(forms.ImageField):
    """An image field that runs the cheap checks before anything is decoded, then decodes within budget."""

    default_error_messages = {
        **forms.ImageField.default_error_messages,
        # The header was read before this check runs, so a failure here is a damaged file.
        "invalid_image": (
            "This image file is damaged or incomplete, so it cannot be shown. "
            "Export it again from the original and upload the new file."
        ),
    }

    def to_python(self, data):
        if data in self.empty_values:
            return None
        check_upload(data)
        checked = super().to_python(data)
        # Pillow's verify() reads a JPEG's headers only; a truncated photograph passes it and would fail
        # later, when the renditions are made. Decoding here shows the editor the problem on the form,
        # and the renditions made on the way are kept on the upload for the model to store.
        setattr(checked, PREPARED_ATTRIBUTE, prepare(checked))
        return checked


class SafeImageField(models.ImageField):
    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", SafeImageFormField)
        return super().formfield(**kwargs)
