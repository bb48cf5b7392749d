"""The ``date`` filter, with the text of a calendar day kept once written (loaded into every template).

Django's filter reads its format letter by letter and looks each month's and weekday's name up in the
translation catalogue: about 16 µs a call, twenty times on a search page, fourteen times on an event
page (its dates, its sources' dates, the comments' closing date). A ``datetime.date`` written in the same
format and the same language always reads the same, so that text is kept, up to 4,096 of them per process.
Moments (``datetime.datetime``) depend on the time zone as well and go to Django's filter every time, as
does everything else.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date as django_date
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _day_text(value: datetime.date, arg: str | None, language: str | None) -> str:
    return django_date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter: the same text, kept for a calendar day in a given format and language."""
    if type(value) is datetime.date and (arg is None or isinstance(arg, str)):
        return _day_text(value, arg, get_language())
    return django_date(value, arg)


@receiver(setting_changed)
def forget_day_texts(**kwargs) -> None:
    """A changed setting (a date format, the format modules, the languages) may write days differently."""
    _day_text.cache_clear()
