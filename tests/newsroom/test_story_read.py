"""The story page's one-statement read (newsroom.storyread): the same story and objects as the ORM builds."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from newsroom.models import Article, Byline, Correction, LinkCheck, RelatedLink, Story
from newsroom.querysets import Status
from newsroom.storyread import prefetch_story_page, read_listing, read_story
from newsroom.views import StoryDetailView, _story_page_flag_triples, story_page_prefetches
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    ImageFactory,
    OutletFactory,
    SectionFactory,
    SourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def read(story, **kwargs):
    kwargs.setdefault("published_at", timezone.now())
    return read_story(using="default", flag_sql=_story_page_flag_triples(), day=story.date, slug=story.slug, **kwargs)


def loaded(instance) -> dict:
    """The values an instance was read with, leaving its deferred fields unread."""
    deferred = instance.get_deferred_fields()
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
        if field.attname not in deferred
    }


def values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def article(media_root):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    story = ArticleFactory(
        headline="The harbour deserves better",
        section=editorials,
        lead_image=ImageFactory(),
        dateline="PORTO",
        article_type=Article.ArticleType.EDITORIAL,
    )
    Correction.objects.create(story=story, note="An earlier version gave the wrong year.")
    RelatedLink.objects.create(story=story, url="https://example.org/harbour", label="The port's plan")
    ArticleFactory(headline="O porto merece melhor", language="pt", translation_of=story, section=editorials)
    return story


def test_an_article_is_read_with_its_section_lead_image_and_flags_as_the_orm_reads_it(article):
    expected = (
        Story.objects.select_related("article__section", "article__lead_image", "event")
        .exclude(article__language="pt")
        .get(pk=article.pk)
    )

    with CaptureQueriesContext(connection) as queries:
        story = read(article)
        found = story.article
        section, image = found.section, found.lead_image
        with pytest.raises(Event.DoesNotExist):
            getattr(story, "event")  # noqa: B009 - reading it is the point
    assert len(queries) == 1

    assert {k: v for k, v in values(story).items() if k != "search_vector"} == {
        k: v for k, v in values(expected).items() if k != "search_vector"
    }
    assert values(found) | {"search_vector": None} == values(expected.article) | {"search_vector": None}
    assert found.headline == "The harbour deserves better" and found.dateline == "PORTO"
    assert values(section) == values(expected.article.section) and section.name == "Editorials"
    assert values(image) == values(expected.article.lead_image)
    assert image.renditions == expected.article.lead_image.renditions and image.renditions
    assert (story.has_corrections, story.has_related_links, story.has_translations) == (True, True, True)
    assert story.approved_comment_count == 0


def test_an_event_is_read_with_its_summary_and_no_article():
    event = EventFactory(summary="The ferry to the islands runs again after the storm.")

    with CaptureQueriesContext(connection) as queries:
        story = read(event)
        assert story.event.summary == "The ferry to the islands runs again after the storm."
        assert story.event.get_category_display() == Event.Category.ECONOMY.label
        with pytest.raises(Article.DoesNotExist):
            getattr(story, "article")  # noqa: B009 - reading it is the point
    assert len(queries) == 1
    assert (story.has_corrections, story.has_related_links, story.has_translations) == (False, False, False)


def test_only_published_stories_are_read_for_readers_and_every_state_for_staff():
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    scheduled = EventFactory(status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=2))

    assert read(draft) is None
    assert read(scheduled) is None
    assert read(draft, published_at=None).pk == draft.pk
    assert read(scheduled, published_at=None).event.pk == scheduled.pk


def test_a_slug_on_another_day_is_not_read():
    event = EventFactory()

    assert read_story(using="default", day=event.date - timedelta(days=1), slug=event.slug) is None
    assert read_story(using="default", day=event.date, slug=event.slug + "-x") is None


def test_the_story_page_reads_the_story_in_one_statement_keyed_by_day_and_slug(client):
    event = EventFactory()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert event.summary in response.content.decode()
    reads = [q["sql"] for q in queries if 'LEFT JOIN "events_event"' in q["sql"]]
    assert len(reads) == 1
    assert '"newsroom_story"."date" =' in reads[0] and '"newsroom_story"."slug" =' in reads[0]
    # The search index's column is not read for a page.
    assert not any('"search_vector"' in q["sql"] for q in queries)


def test_a_draft_is_not_found_by_readers_and_shown_to_staff(client):
    draft = ArticleFactory(headline="Budget leaks ahead of the vote", status=Status.DRAFT, publish_at=None)

    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(StaffFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Budget leaks ahead of the vote" in response.content.decode()


def test_a_day_that_is_no_date_is_not_found(rf):
    view = StoryDetailView()
    request = rf.get("/")
    request.user = StaffFactory()
    view.setup(request, year="2023", month="02", day="30", slug="anything")

    with pytest.raises(Http404):
        view.get_object()


def page_read(story, with_lists=False):
    found = read(story, published_at=None, with_lists=with_lists)
    prefetch_story_page(found, using="default")
    return found


@pytest.mark.parametrize("with_lists", [False, True], ids=["read-apart", "read-with-the-story"])
def test_contexts_sources_and_bylines_are_read_as_the_orm_prefetches_them_and_cost_no_further_query(
    article, django_assert_num_queries, with_lists
):
    # Contexts given in an order that is not the alphabet's, sources and bylines out of their ids' order.
    article.tags.add("Port Arlen", "Harbour", "North Korean defectors")
    later, first = OutletFactory(name="Harbour Gazette"), OutletFactory(name="Arlen Post")
    SourceFactory(story=article, outlet=later, title="Second cited", order=2)
    gone = SourceFactory(story=article, outlet=first, title="First cited", order=1)
    now = timezone.now()
    LinkCheck.objects.create(url=gone.url, status=LinkCheck.Status.GONE, status_since=now, checked_at=now)
    for order, name in ((1, "Rui Costa"), (0, "Ana Dahl")):
        Byline.objects.create(article=article, author=AuthorFactory(name=name), role="Reporter", order=order)
    SourceFactory(story=article, outlet=first, title="Dated", order=3, published_on=now.date() - timedelta(days=400))
    expected = Story.objects.select_related("article").prefetch_related(*story_page_prefetches()).get(pk=article.pk)

    found = page_read(article, with_lists=with_lists)

    with django_assert_num_queries(0):
        contexts = list(found.tags.all())
        sources = list(found.sources.all())
        bylines = list(found.article.bylines.all())
        outlets = [source.outlet.name for source in sources]
        authors = [byline.author.name for byline in bylines]
        statuses = [source.link_status for source in sources]
        assert all(source.story is found for source in sources)
        assert all(byline.article is found.article for byline in bylines)
    assert [tag.name for tag in contexts] == ["Port Arlen", "Harbour", "North Korean defectors"]
    assert [tag.name for tag in contexts] == [tag.name for tag in expected.tags.all()]
    assert [values(s) for s in sources] == [values(s) for s in expected.sources.all()]
    assert outlets == ["Arlen Post", "Harbour Gazette", "Arlen Post"]
    assert statuses == ["gone", None, None] == [s.link_status for s in expected.sources.all()]
    assert sources[2].published_on == now.date() - timedelta(days=400)
    assert authors == ["Ana Dahl", "Rui Costa"]
    assert [values(b) for b in bylines] == [values(b) for b in expected.article.bylines.all()]
    assert [values(b.author) for b in bylines] == [values(b.author) for b in expected.article.bylines.all()]


def test_a_filter_on_prefetched_contexts_still_reads_only_the_storys_own():
    event = EventFactory()
    event.tags.add("Harbour", "Elections")
    EventFactory().tags.add("Weather")

    found = page_read(event)

    assert sorted(found.tags.filter(name__startswith="E").values_list("name", flat=True)) == ["Elections"]
    assert sorted(found.tags.values_list("name", flat=True)) == ["Elections", "Harbour"]


def test_an_event_page_reads_no_bylines(django_assert_num_queries):
    event = EventFactory()
    found = read(event)

    with django_assert_num_queries(2):
        prefetch_story_page(found, using="default")


def test_on_postgresql_a_story_page_reads_the_story_its_contexts_and_sources_in_one_statement(
    media_root, django_assert_num_queries
):
    event = EventFactory(summary="Ferries resume after the storm.")
    event.tags.add("Harbour", "Weather")
    SourceFactory(story=event, title="Ferries back", order=0)
    article = ArticleFactory(lead_image=ImageFactory())
    article.tags.add("Harbour")
    Byline.objects.create(article=article, author=AuthorFactory(name="Ana Dahl"), order=0)
    apart = {"postgresql": 0}.get(connection.vendor, 2)

    for story, bylines in ((event, 0), (article, 1)):
        contexts, sources = [tag.name for tag in story.tags.all()], [s.title for s in story.sources.all()]
        with django_assert_num_queries(1 + apart + bylines):
            found = page_read(story, with_lists=True)
            assert [tag.name for tag in found.tags.all()] == contexts
            assert [source.title for source in found.sources.all()] == sources
        assert "_page_contexts" not in vars(found) and "_page_sources" not in vars(found)
    assert contexts == ["Harbour"] and sources == []


def test_a_story_with_no_contexts_or_sources_read_with_them_shows_empty_lists(django_assert_num_queries):
    event = EventFactory()
    found = page_read(event, with_lists=True)

    with django_assert_num_queries(0):
        assert list(found.tags.all()) == [] and list(found.sources.all()) == []


def test_a_list_reads_the_same_stories_and_fields_as_for_listing_in_bulk(article, django_assert_num_queries):
    for order, name in ((1, "Rui Costa"), (0, "Ana Dahl")):
        Byline.objects.create(article=article, author=AuthorFactory(name=name), order=order)
    event = EventFactory()
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    other = ArticleFactory(section=None, lead_image=None)
    wanted = [event.pk, article.pk, draft.pk, other.pk, 10**9]
    now = timezone.now()
    expected = Story.objects.published(now).for_listing().in_bulk(wanted)

    with django_assert_num_queries(2):
        found = read_listing(wanted, using="default", published_at=now)

    assert sorted(found) == sorted(expected) == sorted([event.pk, article.pk, other.pk])
    with django_assert_num_queries(0):
        for pk, story in found.items():
            orm = expected[pk]
            assert story.get_deferred_fields() == orm.get_deferred_fields()
            assert loaded(story) == loaded(orm)
            if story.kind == "event":
                assert story.event.summary == orm.event.summary
                continue
            assert story.article.get_deferred_fields() == orm.article.get_deferred_fields()
            assert "body" in story.article.get_deferred_fields()
            assert loaded(story.article) == loaded(orm.article)
            assert story.article.section == orm.article.section
            if orm.article.section is not None:
                assert story.article.section.get_deferred_fields() == orm.article.section.get_deferred_fields()
                assert loaded(story.article.section) == loaded(orm.article.section)
            assert story.article.lead_image == orm.article.lead_image
            if orm.article.lead_image is not None:
                assert loaded(story.article.lead_image) == loaded(orm.article.lead_image)
            assert [b.author.name for b in story.article.bylines.all()] == [
                b.author.name for b in orm.article.bylines.all()
            ]
    assert [b.author.name for b in found[article.pk].article.bylines.all()] == ["Ana Dahl", "Rui Costa"]


def test_a_list_of_no_stories_reads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert read_listing([], using="default", published_at=timezone.now()) == {}


@pytest.fixture
def newsroom_lists(media_root):
    """A small archive: articles with sections, pictures and two bylines, and events on the same days."""
    news = SectionFactory(name="News", slug="news")
    world = SectionFactory(name="World", slug="world", parent=news)
    dahl, costa = AuthorFactory(name="Ana Dahl"), AuthorFactory(name="Rui Costa")
    today = timezone.localdate()
    # Published now, so just after midnight no story meant for today went out yesterday. An article's date is
    # the day of its publish time (the articles go out on four days), an event's is its own.
    moment = timezone.now()
    for n in range(45):
        day = today - timedelta(days=n % 4)
        ArticleFactory(
            headline=f"Harbour report {n}",
            section=world if n % 2 else news,
            lead_image=ImageFactory() if n % 5 == 0 else None,
            authors=[dahl, costa] if n % 3 else [costa],
            publish_at=moment - timedelta(days=n % 4),
        )
        EventFactory(
            summary=f"Ferry service {n} resumes.",
            date=day,
            category=("disasters", "politics")[n % 2],
            publish_at=moment,
        )
    ArticleFactory(headline="Not yet out", status=Status.DRAFT, publish_at=None, authors=[dahl])
    return {"day": today, "world": world, "dahl": dahl}


def list_addresses(lists) -> list[str]:
    day = lists["day"]
    return [
        "/",
        "/news/",
        "/news/?page=2",
        "/news/?page=3",
        f"/news/{day:%Y/%m/%d}/",
        lists["world"].get_absolute_url(),
        "/sections/news/?page=2",
        lists["dahl"].get_absolute_url(),
        lists["dahl"].get_absolute_url() + "?page=2",
    ]


def test_list_pages_and_the_front_page_read_their_stories_with_the_listing_statement_as_the_orm_would(
    client, newsroom_lists, monkeypatch
):
    import newsroom.storyread

    read_with_statement = []
    listed = newsroom.storyread.read_listed

    def spy(queryset):
        found = listed(queryset)
        read_with_statement.append(found is not None)
        return found

    monkeypatch.setattr(newsroom.storyread, "read_listed", spy)
    pages = {}
    for address in list_addresses(newsroom_lists):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200, address
        pages[address] = (response.content.decode(), len(queries))
    assert read_with_statement and all(read_with_statement)
    assert ">Harbour report 44<" in pages["/news/"][0] and ">Harbour report 1<" in pages["/news/?page=3"][0]
    assert "Ana Dahl" in pages[newsroom_lists["dahl"].get_absolute_url()][0]
    assert "Not yet out" not in "".join(html for html, _ in pages.values())
    assert "Harbour report 44" in pages["/"][0] and "Ferry service 44 resumes." in pages["/"][0]

    # The same pages with every list evaluated by the ORM as it stands: the same HTML, the same number of queries.
    monkeypatch.setattr(newsroom.storyread, "read_listed", lambda queryset: None)
    for address, (html, count) in pages.items():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.content.decode() == html, address
        assert len(queries) == count, address


def test_a_page_of_a_list_keeps_its_order_even_on_a_joined_column(newsroom_lists, django_assert_num_queries):
    from newsroom.storyread import read_listed

    day = newsroom_lists["day"]
    queryset = Story.objects.published().for_listing().filter(date=day).order_by("event__category", "-publish_at", "pk")
    expected = [story.pk for story in queryset]
    with django_assert_num_queries(2):  # the stories, then their bylines
        found = read_listed(queryset)
    assert [story.pk for story in found] == expected
    page = queryset.newest_first()[3:9]
    assert [story.pk for story in read_listed(page)] == [story.pk for story in page]


def test_a_list_that_asks_for_more_than_a_list_item_shows_is_left_to_the_orm(newsroom_lists):
    from django.db.models import Count

    from newsroom.storyread import read_listed

    listing = Story.objects.published().for_listing().newest_first()
    assert read_listed(listing[:5]) is not None
    assert read_listed(listing.annotate(contexts=Count("tagged_items"))[:5]) is None
    assert read_listed(listing.prefetch_related("tags")[:5]) is None
    # As many prefetches as a list makes, but not the bylines a list item shows.
    assert read_listed(listing.prefetch_related(None).prefetch_related("tags")[:5]) is None
    assert read_listed(Story.objects.published().newest_first()[:5]) is None
    assert read_listed(listing.values("pk")[:5]) is None
    assert read_listed(listing.filter(pk__in=[])) == []


def test_an_instance_filled_in_directly_is_the_one_from_db_builds(article):
    from newsroom.storyread import built

    names = [field.attname for field in Article._meta.concrete_fields if field.attname != "body"]
    values = list(Article.objects.filter(pk=article.pk).values_list(*names).get())
    mine, theirs = built(Article, "default", names, values), Article.from_db("default", names, values)
    assert type(mine) is Article and mine == theirs
    assert {k: v for k, v in vars(mine).items() if k != "_state"} == {
        k: v for k, v in vars(theirs).items() if k != "_state"
    }
    assert (mine._state.adding, mine._state.db) == (theirs._state.adding, theirs._state.db) == (False, "default")
    assert mine.get_deferred_fields() == theirs.get_deferred_fields() == {"body"}
    # A field left out is read when asked for, as with the ORM's deferred fields.
    assert mine.body == article.body
    assert mine.section.name == article.section.name


def test_a_model_with_a_file_field_or_a_listener_is_built_by_from_db(article):
    from django.db.models.signals import post_init

    from newsroom.models import Image, Section
    from newsroom.storyread import _fillable, built

    assert not _fillable(Image)
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Section)
    try:
        section = built(Section, "default", ["id", "name"], [article.section.pk, "News"])
    finally:
        post_init.disconnect(listener, sender=Section)
    assert seen == [section] and section.name == "News"


def test_a_day_reads_the_stories_the_day_queryset_reads_in_its_order(django_assert_num_queries):
    from datetime import datetime, time

    from newsroom.storyread import read_on_day
    from newsroom.views import DayView

    day = timezone.localdate() - timedelta(days=3)
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    EventFactory(date=day, category=Event.Category.SPORT, publish_at=noon, summary="The marathon is moved.")
    EventFactory(date=day, category=Event.Category.ECONOMY, publish_at=noon, summary="Fuel prices fall.")
    EventFactory(date=day, category=Event.Category.ECONOMY, publish_at=noon + timedelta(hours=1), summary="Tax.")
    article = ArticleFactory(publish_at=noon, authors=[AuthorFactory(name="Ana Dahl"), AuthorFactory(name="Rui Costa")])
    EventFactory(date=day, status=Status.DRAFT, publish_at=None, summary="A draft.")
    EventFactory(date=day, status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1), summary="Later.")
    EventFactory(date=day - timedelta(days=1), publish_at=noon - timedelta(days=1), summary="The day before.")
    now = timezone.now()
    expected = list(Story.objects.published(now).for_listing().filter(date=day).order_by(*DayView.ordering))

    with django_assert_num_queries(2):
        found = read_on_day(day, DayView.ordering, using="default", published_at=now)

    assert [story.pk for story in found] == [story.pk for story in expected]
    assert len(found) == 4
    with django_assert_num_queries(0):
        for story, orm in zip(found, expected, strict=True):
            assert story.get_deferred_fields() == orm.get_deferred_fields()
            assert loaded(story) == loaded(orm)
            if story.kind == "event":
                assert story.event.summary == orm.event.summary
            else:
                assert [b.author.name for b in story.article.bylines.all()] == ["Ana Dahl", "Rui Costa"]
    assert article.pk in [story.pk for story in found]


def test_a_day_page_lists_its_events_by_category_then_its_articles(client):
    from datetime import datetime, time

    day = timezone.localdate() - timedelta(days=3)
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    EventFactory(date=day, category=Event.Category.SPORT, publish_at=noon, summary="The marathon is moved.")
    EventFactory(date=day, category=Event.Category.ECONOMY, publish_at=noon, summary="Fuel prices fall.")
    EventFactory(date=day, status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1), summary="Later.")
    ArticleFactory(headline="Harbour plan passes", publish_at=noon, authors=[AuthorFactory(name="Ana Dahl")])

    page = client.get(f"/news/{day:%Y/%m/%d}/").content.decode()

    assert page.index("Fuel prices fall.") < page.index("The marathon is moved.") < page.index("Harbour plan passes")
    assert "Ana Dahl" in page
    assert "Later." not in page


def test_latest_stories_read_each_slice_as_the_newest_first_queryset_does(newsroom_lists, django_assert_num_queries):
    from newsroom.storyread import LatestStories

    now = timezone.now()
    latest = LatestStories(using="default", published_at=now)
    queryset = Story.objects.published(now).for_listing().newest_first()
    days = sorted(set(queryset.values_list("date", flat=True)))

    for rows, expected in (
        (latest[0:5], queryset[0:5]),
        (latest[7:19], queryset[7:19]),
        (latest.filter(date__lt=days[-1])[2:6], queryset.filter(date__lt=days[-1])[2:6]),
        (latest.filter(date__lt=days[-1]).filter(date__lt=days[1])[0:50], queryset.filter(date__lt=days[1])[0:50]),
        (latest[400:420], queryset[400:420]),
    ):
        expected = list(expected)
        assert [story.pk for story in rows] == [story.pk for story in expected]
        for story, orm in zip(rows, expected, strict=True):
            assert loaded(story) == loaded(orm)
    with django_assert_num_queries(2):
        page = latest[0:10]
    with django_assert_num_queries(0):
        bylines = [[b.author.name for b in story.article.bylines.all()] for story in page if story.kind == "article"]
    assert bylines and all(names in (["Ana Dahl", "Rui Costa"], ["Rui Costa"]) for names in bylines)
    assert latest[5:5] == []


def test_latest_stories_refuse_what_a_page_of_them_never_asks_for():
    from newsroom.storyread import LatestStories

    latest = LatestStories(using="default", published_at=timezone.now())
    for wrong in (lambda: latest[3], lambda: latest[0:10:2], lambda: latest[5:], lambda: len(latest)):
        with pytest.raises(TypeError):
            wrong()
