"""The reader's forms: the name asked at sign-up, and those on the reader's own page.

allauth's sign-up form is built on ``ReaderSignupForm`` when allauth's forms are first imported, so this module
imports nothing of allauth's (the sign-in form, which does, lives in ``signin.py``).
"""

from __future__ import annotations

from django import forms

from newsroom.comments.text import clean_single_line

NAME_HELP = "Shown with your comments. Your email address never is."


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Display name",
            max_length=100,
            help_text=NAME_HELP,
            widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
            error_messages={
                "required": "Give the name to show with your comments.",
                "max_length": "Keep your name to %(limit_value)d characters (it has %(show_value)d).",
            },
            **kwargs,
        )

    def clean(self, value):
        name = clean_single_line(super().clean(value) or "")
        if not name:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return name


class ReaderSignupForm(forms.Form):
    """Added to allauth's sign-up form: the email and password fields come from allauth."""

    display_name = DisplayNameField()

    field_order = ["display_name", "email", "password1", "password2"]

    def signup(self, request, user) -> None:
        from .services import create_profile

        create_profile(user=user, display_name=self.cleaned_data["display_name"])


class DisplayNameForm(forms.Form):
    display_name = DisplayNameField()


class PreferencesForm(forms.Form):
    notify_decisions = forms.BooleanField(
        label="Email me when a moderator publishes or turns down one of my comments",
        required=False,
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Type your password to confirm."},
    )

    def __init__(self, *args, user, check_password, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.check_password = check_password

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.check_password(self.user, password):
            raise forms.ValidationError("That is not your password. Your account has not been deleted.")
        return password
