"""The rules every new comment meets before a person sees it.

Two kinds of rule:

* **Refusals** stop a comment before it is stored and tell the reader why
  (bans, floods, duplicates, and the hidden field only a bot fills in).
* **Holds** store the comment but keep it off the page: ``spam`` files it away,
  ``hold`` puts it in the moderators' queue (a form sent faster than a
  person types is held, not refused). Every reason is kept so the
  moderator sees why.

A comment that no rule holds is approved at once, which can only happen to a
commenter a moderator has approved before, since first comments are always held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from .conf import setting
from .models import BannedCommenter, Comment, WordRule, body_fingerprint, commenter_key_for, normalise_for_matching
from .networks import networks_holding
from .querysets import Status
from .text import count_links


@dataclass
class Submission:
    """A comment as it arrives, before anything is stored."""

    story: object
    body: str
    name: str
    email: str = ""
    url: str = ""
    user: object | None = None
    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""
    # Seconds between the form being shown and sent; None when the comment did not come from the form.
    fill_seconds: float | None = None

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @property
    def commenter_key(self) -> str:
        return commenter_key_for(user_id=self.user_id, email=self.email)


class CommentRefused(Exception):
    """The comment is not stored; ``message`` is shown to the reader as it is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Verdict:
    status: str = Status.APPROVED
    reasons: list[str] = field(default_factory=list)

    def hold(self, reason: str) -> None:
        self.reasons.append(reason)
        if self.status == Status.APPROVED:
            self.status = Status.PENDING

    def spam(self, reason: str) -> None:
        self.reasons.append(reason)
        self.status = Status.SPAM


# Refusals, cheapest first.


def refuse_honeypot(sub: Submission) -> None:
    if sub.honeypot.strip():
        raise CommentRefused(
            "Your comment was not posted because a field meant to stay empty was filled in. "
            "Leave the field marked “Leave this field empty” blank and send it again.",
            code="honeypot",
        )


def refuse_banned(sub: Submission) -> None:
    person = Q()
    if sub.email:
        person |= Q(email=sub.email.strip().lower())
    if sub.user_id:
        person |= Q(user_id=sub.user_id)
    bans = BannedCommenter.objects.in_force()
    if person and bans.filter(person).exists():
        raise CommentRefused(
            "Comments from this account or email address are not accepted here. "
            "If you think this is a mistake, write to the editors.",
            code="banned",
        )
    held_in = networks_holding(sub.ip_address)
    ban = bans.filter(network__in=held_in).order_by("-expires_at").first() if held_in else None
    if ban is not None:
        until = date_format(timezone.localtime(ban.expires_at), "j F Y, H:i")
        raise CommentRefused(
            f"Comments from your network are paused until {until}, after abuse from an address it shares "
            "with others. If you think this is a mistake, write to the editors.",
            code="banned",
        )


def refuse_flood(sub: Submission) -> None:
    limit = setting("COMMENTS_FLOOD_LIMIT")
    who = Q()
    if sub.ip_address:
        who |= Q(ip_address=sub.ip_address)
    if sub.user_id:
        who |= Q(user_id=sub.user_id)
    if not who:
        return
    since = timezone.now() - timedelta(minutes=1)
    recent = Comment.objects.filter(who, created_at__gte=since).count()
    if recent >= limit:
        raise CommentRefused(
            f"You have posted {recent} comments in the last minute, the most we take. "
            "Wait a minute and send this one again: what you wrote is still in the form.",
            code="flood",
        )


def refuse_duplicate(sub: Submission) -> None:
    since = timezone.now() - timedelta(seconds=setting("COMMENTS_DUPLICATE_WINDOW"))
    same_sender = Q(commenter_key=sub.commenter_key)
    if sub.ip_address:
        same_sender |= Q(ip_address=sub.ip_address)
    earlier = Comment.objects.filter(same_sender, body_hash=body_fingerprint(sub.body), created_at__gte=since)
    if earlier.exists():
        raise CommentRefused("You have already posted this comment. It was not posted a second time.", code="duplicate")


REFUSALS: list[Callable[[Submission], None]] = [
    refuse_honeypot,
    refuse_banned,
    refuse_flood,
    refuse_duplicate,
]


# Holds.


def word_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def hold_listed_words(sub: Submission, verdict: Verdict) -> None:
    text = normalise_for_matching(" ".join([sub.name, sub.url, sub.body]))
    for phrase, action in WordRule.objects.order_by("phrase").values_list("phrase", "action"):
        if phrase and word_pattern(phrase).search(text):
            if action == WordRule.Action.SPAM:
                verdict.spam(f"Word list: contains “{phrase}” (marked as spam)")
            else:
                verdict.hold(f"Word list: contains “{phrase}”")


def hold_many_links(sub: Submission, verdict: Verdict) -> None:
    allowed = setting("COMMENTS_MAX_LINKS")
    links = count_links(sub.body)
    if links > allowed:
        verdict.hold(f"{links} links (more than {allowed})")


def hold_too_fast(sub: Submission, verdict: Verdict) -> None:
    """A form sent sooner after it opened than a person types is held for a moderator, not refused.

    Scripts send that fast; so, now and then, does a reader who pasted a prepared comment. Held, the
    comment waits in the queue with the reason beside it, and nothing the reader wrote is lost.
    """
    minimum = setting("COMMENTS_MIN_FILL_SECONDS")
    if sub.fill_seconds is not None and sub.fill_seconds < minimum:
        verdict.hold(f"Sent {sub.fill_seconds:.1f} s after the form opened (a person takes {minimum} s or more)")


def hold_first_comment(sub: Submission, verdict: Verdict) -> None:
    approved = Comment.objects.approved().filter(commenter_key=sub.commenter_key)
    if not sub.user_id:
        # A guest is known by email and name together, as someone borrowing an email would not know the name.
        approved = approved.filter(name__iexact=sub.name)
    if not approved.exists():
        verdict.hold("First comment from this commenter")


HOLDS: list[Callable[[Submission, Verdict], None]] = [
    hold_listed_words,
    hold_many_links,
    hold_too_fast,
    hold_first_comment,
]


def evaluate(sub: Submission) -> Verdict:
    """Run every rule; raise ``CommentRefused`` or return what should happen to the comment."""
    for refusal in REFUSALS:
        refusal(sub)
    verdict = Verdict()
    for rule in HOLDS:
        rule(sub, verdict)
    return verdict
