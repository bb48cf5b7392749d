"""The benchmark's data generator, at tiny sizes: shapes, constraints and the rules pages rely on."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag

from events.models import Event
from newsroom.comments.models import Comment, body_fingerprint
from newsroom.models import Article, Byline, Source, Story, TaggedStory

# The command writes through its own connection on PostgreSQL, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"articles": 120, "events": 400, "tags": 40, "comments": 600, "years": 2, "verbosity": 0}


@pytest.fixture
def generated():
    call_command("bench_data", **SIZES)


def test_generator_makes_the_sizes_asked_for(generated):
    # A handful of articles scheduled for tomorrow come on top of the asked-for number.
    assert Article.objects.count() >= SIZES["articles"]
    assert Event.objects.count() == SIZES["events"]
    assert Tag.objects.count() == SIZES["tags"]
    assert Comment.objects.count() == SIZES["comments"]
    assert Story.objects.count() == Article.objects.count() + Event.objects.count()
    assert Source.objects.filter(story__kind="event").values("story").distinct().count() == SIZES["events"]
    assert not Byline.objects.filter(article__isnull=True).exists()


def test_generated_stories_follow_the_publication_rules(generated):
    assert Story.objects.published().count() > 0.9 * Story.objects.count()
    assert not Story.objects.filter(status__in=["published", "scheduled"], publish_at__isnull=True).exists()
    duplicates = Story.objects.values("date", "slug").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    for article in Article.objects.exclude(publish_at=None).only("date", "publish_at")[:200]:
        assert article.date == timezone.localdate(article.publish_at)


def test_contexts_follow_a_long_tail(generated):
    uses = sorted(TaggedStory.objects.values("tag").annotate(n=Count("pk")).values_list("n", flat=True), reverse=True)
    assert Tag.objects.filter(slug="china").exists()
    assert uses[0] > 5 * uses[len(uses) // 2]
    top = TaggedStory.objects.values("tag__slug").annotate(n=Count("pk")).order_by("-n").first()
    assert top["tag__slug"] == "china"


def test_comments_bunch_on_few_published_stories(generated):
    per_story = Counter(Comment.objects.values_list("story_id", flat=True))
    busiest = sum(n for _, n in per_story.most_common(max(1, len(per_story) // 10)))
    assert busiest > 0.3 * SIZES["comments"]
    assert not Comment.objects.exclude(story__in=Story.objects.published()).exists()
    comment = Comment.objects.first()
    assert comment.body_hash == body_fingerprint(comment.body)
    assert comment.created_at >= comment.story.publish_at


def test_generator_adds_to_an_existing_archive_without_clashes(generated):
    call_command("bench_data", **{**SIZES, "seed": 1})
    assert Event.objects.count() == 2 * SIZES["events"]
    assert not Story.objects.values("date", "slug").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_generated_pages_answer(generated, client):
    story = Story.objects.published().filter(kind="article").first()
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get("/tags/china/").status_code == 200
