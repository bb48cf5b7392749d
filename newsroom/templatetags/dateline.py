from django import template
from django.conf import settings

register = template.Library()

LANGUAGE_NAMES = dict(settings.LANGUAGES)
NATIVE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
    "pt": "Português",
    "ar": "العربية",
    "zh-hans": "简体中文",
    "ja": "日本語",
    "ko": "한국어",
    "ru": "Русский",
}


@register.filter
def native_language(code: str) -> str:
    """A language named in itself, as readers of that language look for it."""
    return NATIVE_NAMES.get(code, LANGUAGE_NAMES.get(code, code))


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current address with only the page number changed, so filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def archive_url(day, period="day"):
    """``{{ story.date|archive_url }}``, ``{{ month|archive_url:"month" }}``: the archive page of a date."""
    from newsroom.models import archive_path

    if not day or period not in ("year", "month", "day"):
        return ""
    return archive_path(day, period)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% fixed_url "newsroom:home" %}``: ``{% url %}`` for a route with no arguments, worked out once.

    Every page's header and footer link the same dozen addresses; walking the URL resolver for each of them
    on every page cost more than some of the pages' own lists.
    """
    from django.urls import get_script_prefix

    from newsroom.models import address_format

    return address_format(name, get_script_prefix(), ()).format()


@register.filter
def tag_url(tag) -> str:
    """``{{ tag|tag_url }}``: a context's page, for lists that link many contexts (Related links up to thirty)."""
    from newsroom.models import slug_path

    return slug_path("newsroom:tag", tag.slug)
