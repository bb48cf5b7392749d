"""allauth's sign-in form in Dateline's words (ACCOUNT_FORMS)."""

from __future__ import annotations

from allauth.account.forms import LoginForm


class ReaderLoginForm(LoginForm):
    """allauth's sign-in form in Dateline's words; the page itself links to the password reset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"
