"""The admin's home page names every kind of thing the way an editor would write it."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db


def test_the_admin_home_lists_old_addresses_spelled_right(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert ">Old addresses<" in page
    assert "addresss" not in page


def test_no_registered_model_has_a_misspelt_plural():
    # Django adds an "s" to the singular unless told otherwise: "address" became "addresss".
    wrong = {
        model._meta.label: str(model._meta.verbose_name_plural)
        for model in admin.site._registry
        if re.search(r"(ss|sh|ch|x)s$|[^aeiou]ys$", str(model._meta.verbose_name_plural))
    }
    assert wrong == {}
