"""Every public page is valid HTML (Nu HTML Checker) and has no serious accessibility problem (axe-core)."""

import contextlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse

from newsroom.frontpage.arrangement import Place
from newsroom.frontpage.models import Zone
from newsroom.frontpage.services import latest_revision_id, publish_arrangement
from newsroom.models import LinkCheck, StoryViewCount
from newsroom.services import add_correction
from tests.e2e.conftest import VIEWPORTS
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EventFactory,
    ImageFactory,
    RelatedLinkFactory,
    SectionFactory,
    SourceFactory,
)
from tests.pages.chromium import with_chromium
from tests.pages.conftest import vnu_errors

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2012, 4, 23)
BLOCKING_IMPACTS = {"serious", "critical"}


def _at(hour: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def site(db):
    """A small newsroom that uses every feature a public page can show."""
    news = SectionFactory(name="News", slug="news")
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz", photo=ImageFactory(), bio="Covers the harbour.")
    tom = AuthorFactory(name="Tom Okafor", slug="tom-okafor", role="")
    article = ArticleFactory(
        headline="Harbour plan approved after a two-year argument",
        standfirst="The vote ends a long fight over the waterfront.",
        body=(
            "<p>The council voted <strong>nine to two</strong>.</p><h2>What next</h2>"
            "<ul><li>Dredging</li><li>A new quay</li></ul><blockquote><p>A good day.</p></blockquote>"
            '<p>Read <a href="https://council.example/minutes">the minutes</a>.</p>'
        ),
        publish_at=_at(9),
        slug="harbour-plan",
        section=news,
        dateline="Port Arlen",
        authors=[ana, tom],
        lead_image=ImageFactory(),
        tags=["Harbour", "Council"],
    )
    ArticleFactory(
        headline="Le plan du port est approuvé",
        language="fr",
        translation_of=article,
        publish_at=_at(10),
        slug="plan-du-port",
        section=news,
    )
    editorial = ArticleFactory(
        headline="The harbour deserves better",
        article_type="editorial",
        publish_at=_at(11),
        slug="harbour-deserves-better",
        section=editorials,
        tags=["Harbour"],
    )
    event = EventFactory(
        summary='The <em>assembly</em> passes the <a href="https://water.example/bill">water bill</a>.',
        category="politics",
        date=DAY,
        slug="water-bill",
        tags=["Harbour", "Water"],
    )
    EventFactory(summary="A storm closes the coast road.", category="disasters", date=DAY, tags=["Water"])
    EventFactory(summary="Ferries resume.", date=DAY - timedelta(days=2), tags=["Harbour"])
    # A second year, so the context page shows its timeline's jump list.
    EventFactory(summary="Dredging of the harbour begins.", date=date(2011, 3, 1), tags=["Harbour"])
    for story in (article, event):
        SourceFactory(story=story, outlet__name="Valley Post", title="Plan passes", published_on=DAY)
        SourceFactory(
            story=story,
            outlet__name="Northern Ledger",
            url="https://ledger.example/a",
            archived_url="https://web.archive.org/web/20120423000000/https://ledger.example/a",
            order=1,
        )
    # A cited link found gone shows its archived copy; a correction shows at the foot and on /corrections/.
    LinkCheck.objects.create(url="https://ledger.example/a", status="gone", status_since=_at(12), checked_at=_at(12))
    add_correction(story=article, note="The vote was nine to two, not eight to three.", by=None, when=_at(13))
    RelatedLinkFactory(story=event, target=editorial, order=0)
    RelatedLinkFactory(story=event, url="https://archive.example/harbour", label="Harbour history", order=1)
    CommentFactory(story=article, body="A fair summary of a long night.")
    for n, story in enumerate((article, editorial, event)):
        StoryViewCount.objects.create(story=story, hour=datetime.now(ZoneInfo("UTC")).replace(minute=0), views=9 - n)
    # The front page with an arranged lead and a zone holding an event.
    zone = Zone.objects.create(heading="Harbour vote", capacity=2)
    places = [Place(article.pk, "lead", 1), Place(event.pk, f"zone-{zone.pk}", 1)]
    publish_arrangement(places=places, user=None, based_on=latest_revision_id())
    pages = {
        "front": "/",
        "latest": "/news/",
        "year": "/news/2012/",
        "month": "/news/2012/04/",
        "day": "/news/2012/04/23/",
        "article": article.get_absolute_url(),
        "editorial": editorial.get_absolute_url(),
        "event": event.get_absolute_url(),
        "article-print": article.get_absolute_url() + "print/",
        "tag": "/tags/harbour/",
        "corrections": "/corrections/",
        "section": editorials.get_absolute_url(),
        "author": ana.get_absolute_url(),
        "not-found": "/news/2012/04/23/no-such-story/",
        "bad-request": "/news/2012/04/23/?page=%00",
    }
    for name, url_name, query in [
        ("search", "newsroom:search", "?q=harbour"),
        ("search-empty", "newsroom:search", ""),
        ("standards", "comments:standards", ""),
        ("sign-in", "account_login", ""),
        ("sign-up", "account_signup", ""),
        ("password-reset", "account_reset_password", ""),
    ]:
        # Pages from parts of the site that may not be installed are checked when they exist.
        with contextlib.suppress(NoReverseMatch):
            pages[name] = reverse(url_name) + query
    return pages


def test_every_public_page_passes_the_nu_html_checker(client, site, vnu_command, tmp_path):
    files = []
    for name, url in site.items():
        response = client.get(url)
        assert response.status_code == {"not-found": 404, "bad-request": 400}.get(name, 200), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    errors = vnu_errors(vnu_command, files)
    assert not errors, "\n".join(errors)


def test_a_readers_own_pages_pass_the_nu_html_checker(client, site, vnu_command, tmp_path):
    from tests.readers.helpers import confirmed_reader

    reader = confirmed_reader(name="Ana <from the harbour>")
    for status in ("pending", "approved", "rejected"):
        CommentFactory(story=ArticleFactory(headline=f"A story with a {status} comment"), user=reader, status=status)
    client.force_login(reader)
    files = []
    for name, url in {
        "account": "/accounts/",
        "delete": "/accounts/delete/",
        "email": "/accounts/email/",
        "password": "/accounts/password/change/",
        "front-signed-in": "/",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    bad_name = client.post("/accounts/name/", {"display_name": ""})
    (tmp_path / "account-error.html").write_bytes(bad_name.content)
    files.append(tmp_path / "account-error.html")
    errors = vnu_errors(vnu_command, files)
    assert not errors, "\n".join(errors)


def test_the_confirm_your_comment_page_passes_the_nu_html_checker(db, vnu_command, tmp_path):
    from django.test import Client

    story = ArticleFactory(headline="Harbour <vote> tonight", comments="open")
    typed = {"body": "Line one.\n\n<b>Line two</b>", "name": "Ana", "email": "ana@readers.example", "agree": "on"}
    response = Client(enforce_csrf_checks=True).post(f"/comments/post/{story.pk}/", typed)
    assert "Confirm your comment" in response.content.decode()
    path = tmp_path / "confirm.html"
    path.write_bytes(response.content)
    errors = vnu_errors(vnu_command, [path])
    assert not errors, "\n".join(errors)


AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


@pytest.mark.e2e
def test_public_pages_have_no_serious_accessibility_violations(live_server, site, axe_script):
    checked = {name: url for name, url in site.items() if name not in {"not-found", "search-empty"}}

    def audit(browser) -> list[str]:
        problems = []
        for viewport in ("desktop", "phone"):
            # axe-core goes into each page as an inline script, which the site's Content-Security-Policy refuses.
            context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
            page = context.new_page()
            names = checked if viewport == "desktop" else {k: checked[k] for k in ("front", "article", "event")}
            for name, url in names.items():
                page.goto(live_server.url + url)
                page.add_script_tag(path=str(axe_script))
                for violation in page.evaluate(AXE_RUN):
                    if violation["impact"] in BLOCKING_IMPACTS:
                        problems.append(
                            f"{name} ({viewport}): {violation['id']} [{violation['impact']}] {violation['help']}"
                            f" at {', '.join(violation['targets'])}"
                        )
            context.close()
        return problems

    problems = with_chromium(audit)
    assert not problems, "\n".join(problems)
