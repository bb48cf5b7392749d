from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from newsroom.frontpage import services
from newsroom.frontpage.arrangement import Place
from newsroom.frontpage.models import Zone
from tests.factories import ArticleFactory, UserFactory


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write's after-commit hooks, as a real request's transaction would."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


@pytest.fixture
def staff_in():
    def make(role: str, username: str | None = None):
        user = UserFactory(username=username or role.lower(), is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def opinion_zone():
    return Zone.objects.get(slug="opinion")


def story(headline: str, *, hours_ago: float = 1, **kwargs):
    """A published news article, ``hours_ago`` old: larger numbers sort further down the newest-first lists."""
    kwargs.setdefault("publish_at", timezone.now() - timedelta(hours=hours_ago))
    return ArticleFactory(headline=headline, **kwargs)


def publish(*places: tuple, user=None):
    """Publish an arrangement of (story, area[, expires_at]) in the order given."""
    numbers: dict[str, int] = {}
    planned = []
    for item in places:
        target, area = item[0], item[1]
        numbers[area] = numbers.get(area, 0) + 1
        planned.append(Place(target.pk, area, numbers[area], item[2] if len(item) > 2 else None))
    return services.publish_arrangement(places=planned, user=user, based_on=services.latest_revision_id())
