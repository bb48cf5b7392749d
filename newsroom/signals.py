"""Side effects of saves, connected in NewsroomConfig.ready()."""

from django.core.cache import cache
from django.db import transaction

from .context_processors import NAV_CACHE_KEY


def forget_navigation(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(NAV_CACHE_KEY))


def forget_navigation_after_outage(**kwargs) -> None:
    """A section changed while the cache was unreachable could not retire the kept navigation."""
    cache.delete(NAV_CACHE_KEY)
