import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event
from newsroom.models import Article
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(username="chief"))
    return client


def post_file(client, name: str, content: bytes, **fields):
    return client.post(
        reverse("admin:importers_import"),
        {"source": "wordpress", "kinds": "", **fields, "file": SimpleUploadedFile(name, content)},
    )


def test_an_administrator_imports_a_small_wordpress_export_from_the_admin(admin_client):
    page = admin_client.get(reverse("admin:importers_legacyaddress_changelist")).content.decode()
    assert reverse("admin:importers_import") in page

    dry = post_file(admin_client, "export.xml", (DATA / "small.xml").read_bytes(), dry_run="on")
    text = dry.content.decode()
    assert "What the import would do" in text and "Posts: 4 new" in text
    assert "line 106: post 105 has no title" in text
    assert Article.objects.count() == 0

    done = post_file(admin_client, "export.xml", (DATA / "small.xml").read_bytes(), kinds="editorials = editorial")
    assert "Imported" in done.content.decode()
    assert Article.objects.get(headline="Мост открыт").article_type == "editorial"


def test_files_over_the_limit_and_wrong_kinds_are_refused_with_a_reason(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = post_file(admin_client, "export.xml", (DATA / "small.xml").read_bytes())
    assert "the admin takes up to 1000" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 10**6
    response = post_file(admin_client, "export.xml", (DATA / "small.xml").read_bytes(), kinds="news = gossip")
    assert "unknown article kinds" in response.content.decode()
    assert Article.objects.count() == 0


def test_a_markdown_archive_zip_is_imported_and_one_climbing_out_refused(admin_client):
    day = (
        "# 2012-04-23\n\nMonday 23 April 2012\n\n## Events\n\n### Sport\n\n"
        "- Port Arlen win the cup. ([details](/news/2012/04/23/cup.md))\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export/news/2012/04/23/index.md", day)
    response = post_file(admin_client, "archive.zip", buffer.getvalue(), source="markdown")
    assert "1 new events" in response.content.decode()
    assert Event.objects.get().category == "sport"

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/news/2012/04/23/index.md", day)
    response = post_file(admin_client, "archive.zip", buffer.getvalue(), source="markdown")
    assert "a path outside itself" in response.content.decode()


def test_editors_cannot_import(client):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    editor = UserFactory(username="an-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    assert client.get(reverse("admin:importers_import")).status_code == 403
