"""The comment form's widgets write exactly what Django's widget templates write."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.safestring import mark_safe

from newsroom.comments import widgets

VALUES = [None, "", "plain", 'quote " and <b>tag</b> & amp', mark_safe("<i>kept</i>"), 42, "line one\nline two"]
ATTRS = [
    {},
    {"autocomplete": "name", "id": "id_name"},
    {"required": True, "disabled": False, "aria-invalid": "true", "aria-describedby": "x_error"},
    {"data-note": 'a "quoted" <value>', "tabindex": "-1", "empty": None},
]
PAIRS = [
    (widgets.TextInput, forms.TextInput),
    (widgets.EmailInput, forms.EmailInput),
    (widgets.HiddenInput, forms.HiddenInput),
    (widgets.Textarea, forms.Textarea),
]


@pytest.mark.parametrize("ours, django_widget", PAIRS, ids=[pair[1].__name__ for pair in PAIRS])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_widget_html_is_what_the_widget_templates_write(ours, django_widget, value, attrs):
    base_attrs = {"rows": 6, "cols": 60} if django_widget is forms.Textarea else {"inputmode": "url"}
    expected = django_widget(attrs=base_attrs).render("field", value, attrs=dict(attrs))
    assert ours(attrs=base_attrs).render("field", value, attrs=dict(attrs)) == expected


def test_a_typed_comment_comes_back_escaped_in_the_form():
    from newsroom.comments.forms import CommentForm

    form_field = CommentForm.base_fields["body"]
    html = form_field.widget.render("body", '</textarea><script>alert("x")</script>')
    assert "<script>" not in html
    assert html.endswith("&lt;/textarea&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</textarea>")
