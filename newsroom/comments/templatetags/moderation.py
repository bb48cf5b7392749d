"""For the editors' dashboard: ``{% load moderation %}{% pending_comment_count %}``, ``{% flagged_comment_count %}``."""

from django import template

from ..services import flagged_comment_count as count_flagged
from ..services import pending_comment_count as count_pending

register = template.Library()


@register.simple_tag
def pending_comment_count() -> int:
    return count_pending()


@register.simple_tag
def flagged_comment_count() -> int:
    return count_flagged()
