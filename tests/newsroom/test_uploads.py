"""Image uploads: broken files are refused on the form and leave nothing behind; renditions are sound."""

import datetime as real_datetime
import html
import io
import struct
import types
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields import files as file_fields
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageFile

from newsroom.models import Image
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(username="picture-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


def jpeg_bytes(width=640, height=480, color=(200, 40, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    picture = PILImage.new("RGB", (width, height), color)
    # A little detail, so the encoded data is long enough for a truncation to cut into it.
    for x in range(0, width, 7):
        picture.putpixel((x, (x * 3) % height), (0, 0, 0))
    options = {"exif": exif} if exif is not None else {}
    picture.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def png_bytes(width=64, height=48, color=(40, 40, 200)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, name: str, data: bytes, content_type="image/jpeg"):
    fields = {
        "file": SimpleUploadedFile(name, data, content_type=content_type),
        "caption": "Harbour at dusk",
        "credit": "Ana Ruiz / Dateline",
        "credit_kind": "photo",
        "alt_text": "Boats at dusk",
    }
    return client.post(reverse("admin:newsroom_image_add"), fields)


def files_in(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def assert_refused(response, message: str, media_root) -> None:
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert message in text
    assert 'value="Harbour at dusk"' in text, "the editor's caption is kept"
    assert not Image.objects.exists()
    assert files_in(media_root) == []


def test_a_truncated_jpeg_is_refused_and_leaves_no_file(client, editor, media_root):
    whole = jpeg_bytes()
    response = upload(client, "harbour.jpg", whole[: len(whole) * 2 // 3])

    assert_refused(response, "This image file is damaged or incomplete", media_root)


def test_a_corrupt_png_is_refused_and_leaves_no_file(client, editor, media_root):
    data = bytearray(png_bytes(320, 240))
    start = data.index(b"IDAT") + 8
    data[start : start + 40] = bytes(40)  # the compressed pixels overwritten, chunk checksum now wrong

    response = upload(client, "harbour.png", bytes(data), "image/png")

    assert_refused(response, "damaged or incomplete", media_root)


def test_a_text_file_named_jpg_is_refused_and_leaves_no_file(client, editor, media_root):
    response = upload(client, "harbour.jpg", b"Meeting notes: harbour plan, 9 a.m.\n" * 20)

    assert_refused(response, "This file is not an image Dateline can read", media_root)


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG claiming huge dimensions: what a decompression bomb looks like from its header."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [8_000, 30_000])
def test_a_decompression_bomb_is_refused_before_decoding(client, editor, media_root, monkeypatch, side):
    def no_decoding(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = png_header_only(side, side)
    assert len(bomb) < 1024

    response = upload(client, "bomb.png", bomb, "image/png")

    message = f"This image is {side} × {side} pixels" if side == 8_000 else "This image is too many pixels"
    assert_refused(response, message, media_root)


def test_a_damaged_file_saved_without_the_form_is_refused_and_leaves_no_file(media_root):
    whole = jpeg_bytes()

    with pytest.raises(ValidationError, match="damaged or incomplete"):
        Image.objects.create(file=ContentFile(whole[: len(whole) // 2], name="cut.jpg"), caption="Cut")

    assert not Image.objects.exists()
    assert files_in(media_root) == []


def exif_orientation(value: int) -> bytes:
    exif = PILImage.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def test_a_photo_turned_by_its_exif_orientation_gets_portrait_renditions(client, editor):
    # Stored 1200 wide and 800 tall, with the camera's note to turn it a quarter: seen 800 wide, 1200 tall.
    response = upload(client, "portrait.jpg", jpeg_bytes(1200, 800, exif=exif_orientation(6)))

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (800, 1200)
    assert image.renditions
    for rendition in image.renditions.values():
        assert rendition["height"] > rendition["width"]
        with image.file.storage.open(rendition["file"]) as handle, PILImage.open(handle) as stored:
            assert stored.size == (rendition["width"], rendition["height"])
            assert stored.height > stored.width


def frozen_clock(monkeypatch, year: int, month: int) -> None:
    """Uploads are filed under images/<year>/<month>/ by the clock at the time of upload."""

    class FixedDatetime(real_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(year, month, 15, 12, 0, tzinfo=tz)

    monkeypatch.setattr(file_fields, "datetime", types.SimpleNamespace(datetime=FixedDatetime))


def centre_colour(image: Image, width: str) -> tuple:
    with image.file.storage.open(image.renditions[width]["file"]) as handle, PILImage.open(handle) as stored:
        stored = stored.convert("RGB")
        return stored.getpixel((stored.width // 2, stored.height // 2))


def test_two_uploads_with_the_same_name_a_year_apart_keep_their_own_renditions(client, editor, monkeypatch):
    frozen_clock(monkeypatch, 2025, 4)
    assert upload(client, "harbour.jpg", jpeg_bytes(1000, 600, color=(220, 20, 20))).status_code == 302
    frozen_clock(monkeypatch, 2026, 4)
    assert upload(client, "harbour.jpg", jpeg_bytes(1000, 600, color=(20, 20, 220))).status_code == 302

    red, blue = Image.objects.order_by("pk")
    assert red.file.name.startswith("images/2025/04/") and blue.file.name.startswith("images/2026/04/")
    red_files = {r["file"] for r in red.renditions.values()}
    blue_files = {r["file"] for r in blue.renditions.values()}
    assert red_files and blue_files and not red_files & blue_files
    assert all(red.file.storage.exists(name) for name in red_files | blue_files)
    r, g, b = centre_colour(red, "480")
    assert r > 150 and b < 80, "the first picture's rendition still shows the first picture"
    r, g, b = centre_colour(blue, "480")
    assert b > 150 and r < 80


def test_renditions_stop_at_the_largest_width_a_page_needs(settings):
    settings.DATELINE_IMAGE_LARGEST_RENDITION = 1200
    image = Image.objects.create(file=ContentFile(jpeg_bytes(3000, 1500), name="wide.jpg"), caption="Wide")

    assert sorted(int(w) for w in image.renditions) == [480, 720, 960, 1200]
    assert (image.width, image.height) == (3000, 1500)
    assert image.renditions["1200"]["height"] == 600


def test_a_very_tall_image_gets_renditions_webp_can_hold():
    image = Image.objects.create(file=ContentFile(png_bytes(100, 20_000), name="scroll.png"), caption="Scroll")

    assert image.renditions
    assert max(r["height"] for r in image.renditions.values()) <= 16383


def test_a_jpeg_may_have_more_pixels_than_a_png_because_it_is_decoded_scaled_down(client, editor, settings, media_root):
    settings.DATELINE_IMAGE_MAX_PIXELS = 1_000_000
    settings.DATELINE_IMAGE_MAX_PIXELS_JPEG = 4_000_000

    assert upload(client, "wide.jpg", jpeg_bytes(1600, 1200)).status_code == 302
    Image.objects.all().delete()
    for path in media_root.rglob("*"):
        if path.is_file():
            path.unlink()

    refused = upload(client, "wide.png", png_bytes(1600, 1200), "image/png")
    assert_refused(refused, "This image is 1600 × 1200 pixels; the limit is 1 megapixels", media_root)


def test_an_upload_that_fails_while_being_stored_leaves_no_file(media_root, monkeypatch):
    from newsroom import models

    def disk_full(storage, file_name, renditions):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(models, "store_renditions", disk_full)

    with pytest.raises(OSError, match=r"The image could not be stored \(No space left on device\), so nothing"):
        Image.objects.create(file=ContentFile(jpeg_bytes(), name="harbour.jpg"), caption="Harbour")

    assert not Image.objects.exists()
    assert files_in(media_root) == []


def test_images_stored_before_avif_get_it_from_the_command_and_pages_offer_it(client, settings):
    from django.core.management import call_command

    settings.DATELINE_IMAGE_AVIF = False
    image = Image.objects.create(file=ContentFile(jpeg_bytes(1000, 500), name="old.jpg"), caption="Old")
    assert image.avif_srcset() == ""
    webp = {entry["file"] for entry in image.renditions.values()}

    settings.DATELINE_IMAGE_AVIF = True
    out = io.StringIO()
    call_command("build_renditions", stdout=out)
    assert "1 image(s) updated" in out.getvalue()
    image.refresh_from_db()
    assert {entry["file"] for entry in image.renditions.values()} == webp, "the WebP files are kept"
    for entry in image.renditions.values():
        with image.file.storage.open(entry["avif"]) as handle:
            assert PILImage.open(handle).format == "AVIF"
    out = io.StringIO()
    call_command("build_renditions", stdout=out)
    assert "0 image(s) updated, 1 already complete" in out.getvalue()


def test_rebuilding_renditions_makes_todays_widths_and_removes_the_old_ones(settings):
    from django.core.management import call_command

    settings.DATELINE_IMAGE_RENDITION_WIDTHS = (480, 960)
    image = Image.objects.create(file=ContentFile(jpeg_bytes(1000, 500), name="old.jpg"), caption="Old")
    old_960 = image.renditions["960"]["file"]
    settings.DATELINE_IMAGE_RENDITION_WIDTHS = (480, 720)
    call_command("build_renditions", "--rebuild", stdout=io.StringIO())
    image.refresh_from_db()
    assert sorted(int(w) for w in image.renditions) == [480, 720, 1000]
    assert not image.file.storage.exists(old_960)
