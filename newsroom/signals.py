"""Side effects of saves, connected in NewsroomConfig.ready()."""

from django.core.cache import cache
from django.db import transaction

from .context_processors import NAV_CACHE_KEY


def forget_navigation(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(NAV_CACHE_KEY))


def forget_stale_navigation(**kwargs) -> None:
    """The sections may have changed where the kept navigation could not hear of it (newsroom.cache.stale)."""
    cache.delete(NAV_CACHE_KEY)
