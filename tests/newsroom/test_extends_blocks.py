"""``{% extends %}`` finds the blocks of the page it extends once (newsroom/templatetags/extending.py), and
renders what Django's own tag renders."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import NodeList

from newsroom.templatetags.extending import KeptBlocksExtendsNode

TEMPLATES = {
    "root.html": "<title>{% block title %}Dateline{% endblock %}</title>"
    "<main>{% block content %}nothing yet{% endblock %}</main>{% block footer %}<footer>f</footer>{% endblock %}",
    "section.html": '{% extends "root.html" %}{% block content %}<nav>{{ section }}</nav>'
    "{% block story %}no story{% endblock %}{% endblock %}",
    "story.html": '{% extends "section.html" %}{% block title %}{{ headline }} · {{ block.super }}{% endblock %}'
    "{% block story %}<h1>{{ headline }}</h1>{% endblock %}",
    "twice.html": '{% extends "root.html" %}{% extends "root.html" %}',
}


def engine(kept: bool) -> Engine:
    builtins = ["newsroom.templatetags.extending"] if kept else []
    loaders = [("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", TEMPLATES)])]
    return Engine(loaders=loaders, builtins=builtins)


def render(engine: Engine, name: str, **values) -> str:
    return engine.get_template(name).render(Context(values))


@pytest.mark.parametrize("name", ["root.html", "section.html", "story.html"])
def test_a_page_renders_as_with_djangos_own_extends(name):
    values = {"headline": "Ferries <resume>", "section": "Travel"}
    assert render(engine(kept=True), name, **values) == render(engine(kept=False), name, **values)


def test_a_story_page_three_templates_deep_shows_each_level():
    html = render(engine(kept=True), "story.html", headline="Ferries resume", section="Travel")
    assert html == (
        "<title>Ferries resume · Dateline</title><main><nav>Travel</nav><h1>Ferries resume</h1></main>"
        "<footer>f</footer>"
    )


def test_the_root_templates_blocks_are_found_once_however_many_pages_render(monkeypatch):
    kept = engine(kept=True)
    assert isinstance(kept.get_template("story.html").nodelist[0], KeptBlocksExtendsNode)
    walks = []
    real = NodeList.get_nodes_by_type

    def counting(self, nodetype):
        walks.append(nodetype)
        return real(self, nodetype)

    monkeypatch.setattr(NodeList, "get_nodes_by_type", counting)
    for number in range(5):
        render(kept, "story.html", headline=f"Story {number}", section="Travel")
    root_walks = len(walks)
    for number in range(5):
        render(kept, "story.html", headline=f"Story {number}", section="Travel")
    assert len(walks) == root_walks


def test_extends_keeps_djangos_errors():
    with pytest.raises(TemplateSyntaxError, match="cannot appear more than once"):
        engine(kept=True).get_template("twice.html")
