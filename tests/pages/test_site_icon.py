"""Browsers show Dateline's icon in the tab, for readers and in the admin, instead of asking for a missing file."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

ICON = re.compile(r'<link rel="icon" href="(?P<href>[^"]+favicon\.svg)" type="image/svg\+xml">')


@pytest.mark.parametrize("address", ["/", "/news/", "/admin/login/"])
def test_reader_and_admin_pages_name_the_site_icon(client, address):
    page = client.get(address).content.decode()
    assert ICON.search(page)


def test_the_site_icon_is_a_picture_the_static_files_serve():
    path = finders.find("favicon.svg")
    assert path
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
