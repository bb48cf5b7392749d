from functools import cache as remember

from django.conf import settings
from django.core.cache import cache

NAV_CACHE_KEY = "dateline:nav-sections"


def site(request):
    # A fresh memo per request: a page that shows the sections twice reads the cache once.
    return {"site_name": settings.DATELINE_SITE_NAME, "nav_sections": remember(nav_sections)}


def nav_sections() -> list[dict]:
    """Top-level sections for the header, cached until a section changes.

    Passed to templates as a callable so pages that never show the header pay nothing.
    """
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        from .models import Section

        sections = [
            {"name": s.name, "url": s.get_absolute_url()}
            for s in Section.objects.filter(parent__isnull=True).order_by("order", "name")
        ]
        cache.set(NAV_CACHE_KEY, sections, 60 * 60)
    return sections
