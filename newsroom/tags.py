"""How context names are read from and written to text: one rule for the admin form, bulk actions and suggestions.

Contexts are separated by commas or new lines, never by spaces, so "North Korean defectors" is one
context. A name that holds a comma is written in double quotes ("Smith, John"), with a double quote
inside written twice, as in CSV. A quote anywhere but at the start of a name is part of the name.
"""

from __future__ import annotations

import re

from django import forms
from taggit.forms import TagField, TextareaTagWidget

# Taggit's tag name column.
MAX_NAME_LENGTH = 100

SEPARATORS = ",\n\r"
SPACES = re.compile(r"\s+")


def _pieces(text: str):
    """The raw names in ``text``, split on separators outside double quotes."""
    piece: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"':
                if text[index + 1 : index + 2] == '"':
                    piece.append('"')
                    index += 1
                else:
                    quoted = False
            else:
                piece.append(char)
        elif char in SEPARATORS:
            yield "".join(piece)
            piece = []
        elif char == '"' and not "".join(piece).strip():
            # An opening quote only counts at the start of a name; elsewhere it is a character of the name.
            piece = []
            quoted = True
        else:
            piece.append(char)
        index += 1
    yield "".join(piece)


def clean_name(name: str) -> str:
    """A name as it is stored: runs of spaces (tabs, pasted non-breaking spaces) become one space."""
    return SPACES.sub(" ", name).strip()


def parse_contexts(text: str | None) -> list[str]:
    """The context names in ``text``, each once (ignoring case, the first spelling wins), in a stable order."""
    names: dict[str, str] = {}
    for piece in _pieces(text or ""):
        name = clean_name(piece)
        if name:
            names.setdefault(name.casefold(), name)
    # Sorted, as taggit's own parser returns them: its form field compares sorted lists to see a change.
    return sorted(names.values())


def quote_context(name: str) -> str:
    """``name`` as it is written in a contexts field, in quotes only when it must be."""
    if any(char in name for char in SEPARATORS) or name.startswith('"'):
        return '"' + name.replace('"', '""') + '"'
    return name


def contexts_string(tags) -> str:
    """Tags (or names) as the text a contexts field shows: names joined by commas, sorted."""
    names = sorted((getattr(tag, "name", tag) for tag in tags), key=str.casefold)
    return ", ".join(quote_context(name) for name in names)


CONTEXTS_HELP = (
    "Separate contexts with commas or new lines; a name of several words is one context and needs no quotes, "
    "e.g. North Korean defectors, Elections. New names become new contexts when the story is saved."
)


class ContextsWidget(TextareaTagWidget):
    """A plain text box, one context per line or comma; the admin script turns it into removable chips."""


class ContextsField(TagField):
    """Taggit's form field with Dateline's reading of the text and a clear message for overlong names."""

    widget = ContextsWidget

    def clean(self, value):
        names = super().clean(value)
        long = [name for name in names if len(name) > MAX_NAME_LENGTH]
        if long:
            raise forms.ValidationError(
                "A context name can be at most %(limit)d characters; “%(name)s…” is longer. "
                "Separate contexts with commas.",
                code="context_too_long",
                params={"limit": MAX_NAME_LENGTH, "name": long[0][:40]},
            )
        return names

    def has_changed(self, initial_value, data_value):
        if self.disabled:
            return False
        try:
            typed = self.clean(data_value)
        except forms.ValidationError:
            return True
        saved = [getattr(tag, "name", tag) for tag in initial_value or []]
        return {name.casefold() for name in saved} != {name.casefold() for name in typed}
