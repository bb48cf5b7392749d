"""The editors' desk: admin for stories, the people and outlets they cite, and images.

Articles and events share ``StoryContentAdmin`` (publishing, contexts, sources
and related links); ``events.admin`` builds on it. Changelists are written to
cost the same number of queries however many rows a page shows.

- ``stories``: the article admin, what article and event admins share, and the story index;
- ``workflow``: the editing screen's inlines, form, conflicts, transitions, previews and revisions;
- ``changelists``: filters, offered sorts and the date bar;
- ``library``: sections, authors, outlets, sources, images and contexts;
- ``common``: thumbnails, newsroom times and link fields.

What other apps build on is importable from here.
"""

from django.contrib import admin

from ..workflow import dashboard
from . import library  # noqa: F401  (registers the admins for what stories cite)
from .changelists import ContextFilter, OfferedSortsChangeList
from .common import COMMENT_FIELDS, is_changelist
from .stories import StoryContentAdmin
from .workflow import RelatedLinkInline, SourceInline

__all__ = [
    "COMMENT_FIELDS",
    "ContextFilter",
    "OfferedSortsChangeList",
    "RelatedLinkInline",
    "SourceInline",
    "StoryContentAdmin",
    "is_changelist",
]

admin.site.site_header = "Dateline newsroom"
admin.site.site_title = "Dateline"
admin.site.index_title = "Newsroom desk"
# The changelists carry many useful columns; the sidebar would push the status column off a laptop screen.
admin.site.enable_nav_sidebar = False


# The admin index doubles as the editor's dashboard. Wrapping the site's own index view keeps Django's
# app list and recent actions as they are and adds the day's work above them.
_plain_index = admin.site.index


def index_with_dashboard(request, extra_context=None):
    context = {**(extra_context or {}), "dashboard": dashboard(request.user)}
    if request.user.has_perm("comments.change_comment"):
        context["dashboard"]["comments_waiting"] = pending_comments()
        context["dashboard"]["comments_flagged"] = flagged_comments()
    return _plain_index(request, extra_context=context)


def pending_comments() -> int | None:
    try:
        from newsroom.comments.services import pending_comment_count
    except ImportError:
        return None
    return pending_comment_count()


def flagged_comments() -> int | None:
    try:
        from newsroom.comments.services import flagged_comment_count
    except ImportError:
        return None
    return flagged_comment_count()


admin.site.index = index_with_dashboard
