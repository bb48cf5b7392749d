"""The comment form's text widgets, written out directly instead of through Django's widget templates.

The form sits under every story page. Rendering its five inputs through the
widget templates (each an ``input.html`` including ``attrs.html``, looping over
the attributes) cost about a millisecond a page, more than the form's own
template. These widgets write the same HTML as those templates, character for
character (``tests/comments/test_widgets.py`` compares the two), with the same
escaping: a value already marked safe is written as it is, anything else is
escaped.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """What ``django/forms/widgets/attrs.html`` writes: True as a bare name, False left out, in the given order."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


class DirectInputMixin:
    """An ``<input>`` as ``django/forms/widgets/input.html`` writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
        return mark_safe(
            f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f"{shown}{_attrs(widget['attrs'])}>"
        )


class TextInput(DirectInputMixin, forms.TextInput):
    pass


class EmailInput(DirectInputMixin, forms.EmailInput):
    pass


class HiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class Textarea(forms.Textarea):
    """A ``<textarea>`` as ``django/forms/widgets/textarea.html`` writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(
            f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
        )
