"""Every context (taggit ``Tag``) gets a slug its page address can be built from.

taggit slugifies a name keeping Unicode letters and dropping everything else, so
a context called "!!!" or "🙂" got an empty slug and "北朝鮮" one the ASCII
``<slug>`` route cannot match; reversing either address failed and took every
page showing the context down with it. Contexts are created in many places
(``TaggableManager.add``/``set``, the admin, the demo loader, merges), so the
rule is applied in one ``pre_save`` handler on the model itself.
"""

from __future__ import annotations

import hashlib
import re

from django.db.models import Q

from .models import ascii_slugify

# The part of an address the public ``tags/<slug:slug>/`` route accepts.
ADDRESSABLE = re.compile(r"[-a-zA-Z0-9_]+")
MAX_LENGTH = 100  # taggit's Tag.slug
FALLBACK_PREFIX = "context"


def is_addressable(slug: str) -> bool:
    return bool(slug) and len(slug) <= MAX_LENGTH and ADDRESSABLE.fullmatch(slug) is not None


def slug_base(name: str) -> str:
    """The ASCII slug a context's name gives, before making it unique.

    A name with nothing to transliterate (punctuation, symbols) falls back to a
    short hash of the name, which is the same on every run and every machine.
    """
    base = ascii_slugify(name)[: MAX_LENGTH - 10].strip("-_")
    if base:
        return base
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{FALLBACK_PREFIX}-{digest}"


def unique_slug(base: str, *, tags, redirects) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever no other context uses or redirects from.

    ``tags`` and ``redirects`` are querysets of the other contexts and of the old addresses kept for
    merged ones (a new context must not shadow an address that still sends readers on). Slugs are
    compared without case: the static export writes one folder per context, and some file systems
    do not tell "China" from "china".
    """
    pattern = Q(slug__iexact=base) | Q(slug__istartswith=f"{base}-")
    taken = {slug.lower() for slug in tags.filter(pattern).values_list("slug", flat=True)}
    old = Q(old_slug__iexact=base) | Q(old_slug__istartswith=f"{base}-")
    taken |= {slug.lower() for slug in redirects.filter(old).values_list("old_slug", flat=True)}
    slug, n = base, 1
    while slug.lower() in taken:
        n += 1
        slug = f"{base[: MAX_LENGTH - 1 - len(str(n))]}-{n}"
    return slug


def assign_context_slug(sender, instance, raw=False, **kwargs) -> None:
    """pre_save on taggit's Tag: keep a given addressable slug, otherwise derive one from the name."""
    if raw:
        return
    slug = instance.slug or ""
    if is_addressable(slug):
        if not instance._state.adding:
            return
        # taggit proposes a slug from the name and retries on a clash with ``_1``, ``_2``; settling
        # the clash here keeps the house's ``-2`` form and avoids the failed insert.
        base = slug
    else:
        base = slug_base(instance.name)
    from .models import TagRedirect

    tags = sender._default_manager.all()
    redirects = TagRedirect.objects.all()
    if instance.pk:
        tags = tags.exclude(pk=instance.pk)
        redirects = redirects.exclude(tag_id=instance.pk)
    instance.slug = unique_slug(base, tags=tags, redirects=redirects)
