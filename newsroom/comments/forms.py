"""The reader's comment form and the flag form. Every error says what to do about it."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from .models import CommentFlag
from .networks import NETWORK_BAN_DAYS, NETWORK_BAN_MAX_DAYS, parse_network
from .policy import CommentPolicy
from .text import clean_single_line, normalise_newlines
from .widgets import EmailInput, HiddenInput, Textarea, TextInput

START_SALT = "comments.form-started"


def start_token(story_id: int) -> str:
    """When the form was shown, signed and tied to one story, for the minimum fill time."""
    return signing.dumps({"story": story_id, "at": time.time()}, salt=START_SALT, compress=True)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        strip=True,
        widget=Textarea(attrs={"rows": 6, "cols": 60}),
        error_messages={"required": _("Write a comment before sending.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Shown with your comment."),
        widget=TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("Keep your name to %(limit_value)d characters (it has %(show_value)d).")},
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Never shown to readers."),
        widget=EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an email address such as name@example.org.")},
    )
    url = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=TextInput(attrs={"autocomplete": "url", "inputmode": "url"}),
        error_messages={
            "invalid": _("Enter a web address such as https://example.org, or leave this empty."),
            "max_length": _("Keep the web address to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    agree = forms.BooleanField(
        label=_("I have read the community standards"),
        error_messages={"required": _("Tick the box to confirm you have read the community standards.")},
    )
    # A trap: people never see this field, scripts that fill every field do.
    subject = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=HiddenInput, required=False)

    def __init__(self, *args, story, policy: CommentPolicy, user=None, private: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.story = story
        self.policy = policy
        # A form shown to one reader only (the answer to their post) carries their form token and a time
        # stamp; the form on a story page carries neither, so every reader can be handed the same copy.
        self.private = private
        self.signed_in = bool(user is not None and user.is_authenticated)
        self.fill_seconds: float | None = None
        self.commenter_name = ""
        if self.signed_in:
            from .services import display_name

            self.commenter_name = display_name(user)
            for name in ("name", "email", "url"):
                del self.fields[name]
        body = self.fields["body"]
        # Without JavaScript this is the whole counter; comments.js keeps it up to date while typing.
        body.help_text = f"Up to {policy.max_length:,} characters."
        body.widget.attrs.update({"data-max-length": str(policy.max_length), "data-counter": "id_body_helptext"})

    @property
    def start_value(self) -> str:
        """The time stamp the form carries: none on a shared page (comments.js asks for one), else kept.

        The first stamp is kept through errors, so resending counts from when the reader began.
        """
        if self.has_start:
            return self.data.get("started", "")
        return start_token(self.story.pk) if self.private else ""

    @property
    def has_start(self) -> bool:
        """Whether the post carries a valid stamp of when this story's form was shown or first used."""
        return self.is_bound and self._started_at() is not None

    def _started_at(self) -> float | None:
        try:
            value = signing.loads(self.data.get("started", ""), salt=START_SALT, max_age=7 * 24 * 3600)
        except signing.BadSignature:
            return None
        if not isinstance(value, dict) or value.get("story") != self.story.pk:
            return None
        return float(value.get("at", 0))

    def clean_body(self) -> str:
        body = normalise_newlines(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError("Write a comment before sending.")
        limit = self.policy.max_length
        if len(body) > limit:
            over = len(body) - limit
            raise forms.ValidationError(
                f"Your comment is {len(body):,} characters long and the limit here is {limit:,}. "
                f"Shorten it by {over:,} character{'s' if over != 1 else ''}."
            )
        return body

    def clean_name(self) -> str:
        name = clean_single_line(self.cleaned_data.get("name", ""))
        if not self.signed_in and not name:
            raise forms.ValidationError("Give a name to show with your comment.")
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "")
        if not self.signed_in and not email:
            raise forms.ValidationError("Give your email address. It is never shown.")
        return email

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address starting with http:// or https://, or leave this empty.")
        return url

    def clean(self):
        cleaned = super().clean()
        started = self._started_at()
        if started is None:
            raise forms.ValidationError(
                "This form had expired or been altered, so nothing was posted. Check your comment and send it again."
            )
        self.fill_seconds = max(0.0, time.time() - started)
        return cleaned


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=CommentFlag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what is wrong with this comment.",
            "invalid_choice": "Choose one of the reasons listed.",
        },
    )


class NetworkBanForm(forms.Form):
    """What a moderator confirms before banning a network: which addresses, for how long, and why."""

    network = forms.CharField(
        label="Address or range",
        max_length=49,
        help_text="The comment's address, or a range holding it such as 203.0.113.0/24 (no wider than /16).",
        error_messages={"required": "Give an address (203.0.113.7) or a range (203.0.113.0/24)."},
    )
    days = forms.IntegerField(
        label="Ban for (days)",
        min_value=1,
        max_value=NETWORK_BAN_MAX_DAYS,
        initial=NETWORK_BAN_DAYS,
        help_text=f"The ban lifts by itself after this many days (1 to {NETWORK_BAN_MAX_DAYS}).",
        error_messages={
            "required": "Say for how many days.",
            "invalid": "Give a whole number of days.",
            "min_value": "A ban lasts at least one day.",
            "max_value": f"A network ban lasts at most {NETWORK_BAN_MAX_DAYS} days.",
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        help_text="For other moderators: what came from this network.",
    )

    def clean_network(self) -> str:
        return parse_network(self.cleaned_data["network"])
