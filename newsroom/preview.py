"""Preview links: a signed address that shows one unpublished story to someone without an account.

The address carries the link's random key signed with the site's secret, so a guessed or
altered address fails before the database is asked; expiry and revocation live on the row.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.utils.cache import add_never_cache_headers

from .models import PreviewLink

SALT = "dateline.preview"


def sign(key: str) -> str:
    return signing.Signer(salt=SALT).sign(key)


def usable_link(token: str) -> PreviewLink:
    """The live preview link ``token`` names; 404 when it is tampered with, expired or revoked."""
    try:
        key = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise Http404("No such preview.") from None
    link = PreviewLink.objects.select_related("story").filter(key=key).first()
    if link is None or not link.is_usable:
        raise Http404("No such preview.")
    return link


def preview(request, token: str):
    """The story page as readers will see it, marked noindex and never cached."""
    from .views import StoryDetailView

    link = usable_link(token)
    story = link.story
    view = StoryDetailView.as_view(preview_link=link)
    response = view(
        request,
        year=f"{story.date.year:04d}",
        month=f"{story.date.month:02d}",
        day=f"{story.date.day:02d}",
        slug=story.slug,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response
