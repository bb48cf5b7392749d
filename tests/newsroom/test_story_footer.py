"""What closes a story page (share box, sources) and sits beside it (contexts), as readers see it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import ArticleFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & "quotes" <b>bold</b>'


def test_what_editors_typed_in_sources_outlets_contexts_and_titles_reaches_the_story_page_as_text(client):
    story = ArticleFactory(headline=f"Ferries resume {HOSTILE}")
    story.tags.add(f"Port {HOSTILE}")
    story.tags.add("Night ferries")
    outlet = OutletFactory(name=f"Harbour {HOSTILE}")
    SourceFactory(story=story, outlet=outlet, title=f"Strike ends {HOSTILE}", url="https://news.example/a?b=1&c=2")
    SourceFactory(story=story, outlet=outlet, title="", url="https://news.example/untitled")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &lt;b&gt;bold&lt;/b&gt;"
    sources = html.split('<section class="sources"')[1].split("</section>")[0]
    assert f'<span class="sources__outlet">Harbour {escaped}</span>: ' in sources
    assert f'<a href="https://news.example/a?b=1&amp;c=2" rel="noopener nofollow">Strike ends {escaped}</a>' in sources
    # A source with no title of its own is its outlet's name, linked.
    assert (
        f'<a class="sources__outlet" href="https://news.example/untitled" rel="noopener nofollow">Harbour {escaped}'
        in sources
    )
    contexts = html.split('<nav class="contexts"')[1].split("</nav>")[0]
    assert re.findall(r"<li><a href=\"/tags/[^\"]+/\">([^<]*)</a></li>", contexts) == [
        f"Port {escaped}",
        "Night ferries",
    ]
    share = html.split('<section class="share"')[1].split("</section>")[0]
    assert '<h2 id="share-heading">Share this story</h2>' in share
    assert share.count('class="share__link"') == 7 and "<script" not in share
    meta = html.split("</head>")[0]
    assert f'<meta property="og:title" content="Ferries resume {escaped}">' in meta
    assert '<meta name="twitter:card" content="summary' in meta


def test_a_source_shows_its_date_and_a_story_with_no_sources_or_contexts_has_no_empty_boxes(client):
    story = ArticleFactory(headline="Quay plan approved")
    SourceFactory(story=story, title="Council vote", published_on=date(2026, 3, 9))
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<time datetime="2026-03-09">(9 Mar 2026)</time>' in html
    bare = client.get(ArticleFactory(headline="Nothing cited").get_absolute_url()).content.decode()
    assert 'class="sources"' not in bare and 'class="contexts"' not in bare
    assert 'class="share"' in bare and "Read online at http://testserver/" in bare
