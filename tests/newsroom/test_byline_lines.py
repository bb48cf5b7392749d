"""Bylines as lists and story pages show them: "By A; B and C", names linking to their authors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.template import Context, Template
from django.utils import translation

from newsroom.templatetags.dateline import byline_lines

# What includes/byline_lines.html wrote, before the byline became one template tag: the reference.
LOOP = (
    '{% load i18n %}{% if lines %}<p class="byline">{% translate "By" context "byline" %} {% for line in lines %}'
    '<span class="byline__author"><a href="{{ line.author.get_absolute_url }}">{{ line.author.name }}</a>'
    '{% if full and line.display_role %}, <span class="byline__role">{{ line.display_role }}</span>{% endif %}'
    '{% if full and line.author.email %} <a class="byline__email" href="mailto:{{ line.author.email }}">'
    "{{ line.author.email }}</a>{% endif %}</span>{% if not forloop.last %}{% if forloop.revcounter == 2 %} "
    '{% translate "and" context "byline" %} {% else %}; {% endif %}{% endif %}{% endfor %}</p>{% endif %}'
)


@dataclass
class Person:
    name: str
    slug: str
    email: str = ""

    def get_absolute_url(self) -> str:
        return f"/authors/{self.slug}/"


@dataclass
class Line:
    author: Person
    display_role: str = ""


PEOPLE = [
    Line(Person("Ana Abbott", "ana-abbott", "ana@example.org"), "Health correspondent"),
    Line(Person('Bo "Quote" <b>Bold</b> & Co', "bo"), ""),
    Line(Person("Chidi Okafor", "chidi", ""), "Photographs"),
    Line(Person("Dana Ulrich", "dana", "dana@example.org"), ""),
]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_byline_is_what_the_template_loop_wrote(count, full, language):
    lines = PEOPLE[:count]
    with translation.override(language):
        expected = Template(LOOP).render(Context({"lines": lines, "full": full}))
        assert byline_lines(lines, full=full) == expected


def test_three_names_read_as_a_sentence_and_nothing_typed_becomes_markup():
    html = byline_lines(PEOPLE[:3], full=True)
    assert html.startswith('<p class="byline">By <span class="byline__author"><a href="/authors/ana-abbott/">')
    assert 'Ana Abbott</a>, <span class="byline__role">Health correspondent</span>' in html
    assert '<a class="byline__email" href="mailto:ana@example.org">ana@example.org</a>' in html
    assert "Bo &quot;Quote&quot; &lt;b&gt;Bold&lt;/b&gt; &amp; Co</a></span> and <span" in html
    assert "</span>; <span" in html
    assert "<b>" not in html


def test_list_bylines_leave_out_roles_and_addresses():
    html = byline_lines(PEOPLE[:2])
    assert "byline__role" not in html and "mailto:" not in html
