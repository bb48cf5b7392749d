"""The editors' desk: admin for stories, the people and outlets they cite, and images.

Articles and events share ``StoryContentAdmin`` (publishing, contexts, sources
and related links); ``events.admin`` builds on it. Changelists are written to
cost the same number of queries however many rows a page shows.

- ``stories``: the article admin, what article and event admins share, and the story index;
- ``workflow``: the editing screen's inlines, form, conflicts, transitions, previews and revisions;
- ``changelists``: filters, offered sorts and the date bar;
- ``library``: sections, authors, outlets, sources, images and contexts;
- ``signins``: sign-in throttling's attempts and logs, read only, for administrators;
- ``common``: thumbnails, newsroom times and link fields.

What other apps build on is importable from here.
"""

# Imported for the admins they register: what stories cite, and sign-in throttling's records.
from . import library, signins  # noqa: F401
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
