"""Paginators for big tables: estimated counts and the edge cases they must not trip on."""

import pytest
from django.db import connection

from newsroom.models import Story
from newsroom.pagination import EstimatedCountPaginator, planner_estimate
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_filter_that_can_match_nothing_is_estimated_as_empty_instead_of_failing():
    ArticleFactory()
    for nothing in (Story.objects.none(), Story.objects.filter(pk__in=[])):
        expected = 0 if connection.vendor == "postgresql" else None
        assert planner_estimate(nothing) == expected
        assert EstimatedCountPaginator(nothing, 20).count == 0


def test_small_lists_are_counted_exactly():
    for n in range(3):
        ArticleFactory(headline=f"Counted story {n}")
    assert EstimatedCountPaginator(Story.objects.all(), 20).count == 3
