"""Static files with DEBUG off: the fingerprinted address of each file, also once collectstatic has run again."""

import json

import pytest
from django.core.files.storage import FileSystemStorage

from newsroom.staticstorage import StaticFilesStorage


@pytest.fixture
def storage(settings, tmp_path):
    settings.DEBUG = False
    root = tmp_path / "collected"
    root.mkdir()
    manifest = {"version": "1.1", "hash": "0", "paths": {"css/site.css": "css/site.0123456789ab.css"}}
    (root / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=str(root), base_url="/static/")


def test_a_file_is_served_under_its_fingerprinted_address_every_time(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"


def test_a_file_missing_from_the_manifest_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def test_with_debug_on_the_plain_address_is_given(storage, settings):
    storage.url("css/site.css")
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"


def test_files_collected_again_give_their_new_addresses(storage, tmp_path):
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: #222; }\n")
    files = FileSystemStorage(location=str(source))
    with files.open("css/site.css") as handle:
        storage.save("css/site.css", handle)
    list(storage.post_process({"css/site.css": (files, "css/site.css")}))
    address = storage.url("css/site.css")
    assert address.startswith("/static/css/site.") and address.endswith(".css")
    assert address != "/static/css/site.0123456789ab.css"
