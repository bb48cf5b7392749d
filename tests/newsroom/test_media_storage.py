"""Media in an S3-compatible bucket (MEDIA_STORAGE_URL): uploads, renditions and the addresses pages use."""

from io import StringIO

import boto3
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from newsroom.models import Image
from newsroom.settings import media_storage
from tests.factories import ArticleFactory, UserFactory, png_bytes

pytestmark = pytest.mark.django_db

BUCKET = "dateline-media"


@pytest.fixture
def bucket(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        storage, _ = media_storage(f"s3://{BUCKET}?region=eu-west-1&custom_domain=media.example.org")
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        yield s3


def stored_names(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def editor(client):
    user = UserFactory(username="picture-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


def upload(client, name: str, data: bytes, content_type="image/png"):
    fields = {
        "file": SimpleUploadedFile(name, data, content_type=content_type),
        "caption": "Harbour at dusk",
        "credit": "Ana Ruiz / Dateline",
        "alt_text": "Boats at dusk",
        "credit_kind": "photo",
    }
    return client.post(reverse("admin:newsroom_image_add"), fields)


def test_an_upload_and_its_renditions_go_to_the_bucket(client, editor, bucket, media_root):
    response = upload(client, "harbour.png", png_bytes(1200, 800))

    assert response.status_code == 302
    image = Image.objects.get()
    names = stored_names(bucket)
    assert image.file.name in names
    assert {r["file"] for r in image.renditions.values()} <= set(names)
    assert len(image.renditions) >= 2
    # Nothing was written to the local disk.
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_damaged_upload_is_refused_before_anything_reaches_the_bucket(client, editor, bucket):
    response = upload(client, "harbour.png", png_bytes(640, 480)[:200])

    assert response.status_code == 200
    assert "damaged or incomplete" in response.content.decode()
    assert stored_names(bucket) == []
    assert not Image.objects.exists()


def test_story_page_links_to_the_media_domain(client, editor, bucket):
    upload(client, "harbour.png", png_bytes(1200, 800))
    image = Image.objects.get()
    story = ArticleFactory(headline="Harbour at dusk", lead_image=image)
    client.logout()

    page = client.get(story.get_absolute_url()).content.decode()

    rendition = image.rendition_list()[0]["file"]
    assert f"https://media.example.org/{rendition}" in page
    assert "/media/images/" not in page


def test_media_storage_url_reads_endpoint_region_and_domain():
    storage, origin = media_storage(
        "s3://news-media?endpoint_url=http://127.0.0.1:9000&region=eu-west-1&location=site&url_protocol=http"
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "news-media"
    assert storage["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert storage["OPTIONS"]["region_name"] == "eu-west-1"
    assert storage["OPTIONS"]["location"] == "site"
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert origin == "http://127.0.0.1:9000"
    _, cdn = media_storage("s3://news-media?custom_domain=cdn.example.org")
    assert cdn == "https://cdn.example.org"


def test_a_malformed_media_storage_url_is_refused_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE_URL must look like"):
        media_storage("https://example.org/bucket")


# Backups of a site whose media live in the bucket -----------------------------------------------------------


def bucket_files(s3) -> dict[str, bytes]:
    return {name: s3.get_object(Bucket=BUCKET, Key=name)["Body"].read() for name in stored_names(s3)}


@pytest.mark.django_db(transaction=True)
def test_backup_takes_the_media_from_the_bucket_and_restore_puts_back_exactly_those(
    client, editor, bucket, media_root, tmp_path
):
    import json
    import tarfile

    from django.core.management import call_command

    upload(client, "harbour.png", png_bytes(1200, 800))
    before = bucket_files(bucket)
    assert len(before) >= 3

    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=StringIO())

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["media"]["files"] == len(before)
    with tarfile.open(folder / "media.tar") as archive:
        assert sorted(archive.getnames()) == sorted(before)
        assert {name: archive.extractfile(name).read() for name in before} == before

    # After the backup: one picture lost, one stray object added.
    lost = sorted(before)[0]
    bucket.delete_object(Bucket=BUCKET, Key=lost)
    bucket.put_object(Bucket=BUCKET, Key="images/stray.png", Body=b"not in the backup")

    call_command("restore", str(folder), "--yes", stdout=StringIO())

    assert bucket_files(bucket) == before
    # Nothing went to the local folder on the way.
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_restore_counts_bucket_media_as_content_to_replace(client, editor, bucket, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from newsroom.models import Story

    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=StringIO())
    upload(client, "harbour.png", png_bytes(640, 480))
    Story.objects.all().delete()

    with pytest.raises(CommandError, match=r"not empty \(.*media files"):
        call_command("restore", str(folder), stdout=StringIO())
    assert stored_names(bucket)


@pytest.fixture
def unreachable_bucket(settings, monkeypatch):
    """A bucket whose server does not answer (nothing listens on port 9)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    storage, _ = media_storage(f"s3://{BUCKET}?region=eu-west-1&endpoint_url=http://127.0.0.1:9")
    settings.STORAGES = {**settings.STORAGES, "default": storage}


def test_an_upload_while_the_bucket_is_down_comes_back_with_the_reason_and_what_was_typed(
    client, editor, unreachable_bucket
):
    response = upload(client, "harbour.png", png_bytes(1200, 800))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The image could not be stored (the media storage did not answer), so nothing was saved" in page
    assert "Choose the file again" in page
    # What the editor typed is still in the form.
    assert 'value="Harbour at dusk"' in page
    assert 'value="Ana Ruiz / Dateline"' in page
    assert 'value="Boats at dusk"' in page
    assert not Image.objects.exists()


def test_an_upload_in_the_lead_image_popup_while_the_bucket_is_down_stays_in_the_popup(
    client, editor, unreachable_bucket
):
    fields = {
        "file": SimpleUploadedFile("harbour.png", png_bytes(800, 600), content_type="image/png"),
        "caption": "Harbour at dusk",
        "credit_kind": "photo",
        "_popup": "1",
        "_to_field": "id",
    }
    response = client.post(reverse("admin:newsroom_image_add") + "?_to_field=id&_popup=1", fields)

    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was saved" in page
    assert 'name="_popup"' in page
    assert not Image.objects.exists()


def test_an_upload_to_a_bucket_that_refuses_it_says_so_without_its_address(client, editor, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        # No bucket was made: the storage answers NoSuchBucket.
        storage, _ = media_storage(f"s3://{BUCKET}?region=eu-west-1")
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        response = upload(client, "harbour.png", png_bytes(800, 600))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The image could not be stored (the media storage refused it: NoSuchBucket), so nothing was saved" in page
    assert BUCKET not in page
    assert not Image.objects.exists()
