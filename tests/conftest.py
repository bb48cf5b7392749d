import shutil

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes uploads and renditions into its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    from newsroom import popularity

    cache.clear()
    yield
    # Reads a test counted and did not flush are not added to the next test's counters.
    popularity.tally.discard()
    cache.clear()


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the after-commit work (search indexing, page cache versions) the test's transaction holds back."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
