"""The benchmark's made-up text: a large vocabulary used the way real words are."""

import random
from collections import Counter

import pytest
from django.core.management import call_command

from newsroom.management.commands._text import FUNCTION_WORDS, Vocabulary, vocabulary
from newsroom.models import Story


def test_vocabulary_is_large_distinct_and_the_same_for_the_same_seed():
    words = vocabulary(1).words
    assert len(words) >= 30_000
    assert len(set(words)) == len(words)
    assert Vocabulary(1).words[:500] == words[:500]
    assert Vocabulary(2).words[:500] != words[:500]


def test_words_are_used_with_a_long_tail():
    v = vocabulary(1)
    counts = Counter(v.draw(random.Random(5), 200_000))
    ranked = [count for _, count in counts.most_common()]
    # Zipf: the first word about twice the second and ten times the tenth; most words seen rarely if at all.
    assert 1.5 < ranked[0] / ranked[1] < 2.7
    assert 6 < ranked[0] / ranked[9] < 15
    assert len(counts) > 10_000
    assert sum(1 for count in ranked if count <= 2) > len(counts) / 3


def test_search_words_are_ordered_from_common_to_rare():
    v = vocabulary(1)
    rank = {word: index for index, word in enumerate(v.content)}
    common, middling, rare = v.common(6), v.middling(3), v.rare(3)
    assert len(set(common + middling + rare)) == 12
    assert not set(common) & set(FUNCTION_WORDS)
    assert max(rank[w] for w in common) < min(rank[w] for w in middling) <= max(rank[w] for w in middling)
    assert max(rank[w] for w in middling) < min(rank[w] for w in rare)


@pytest.mark.django_db(transaction=True)
def test_generated_stories_use_the_vocabulary_names_and_places():
    call_command("bench_data", articles=60, events=200, tags=20, comments=50, years=1, verbosity=0)
    v = vocabulary(1)
    text = " ".join(Story.objects.values_list("title", flat=True)).lower().split()
    seen = Counter(text)
    assert seen[v.common(1)[0]] > 5
    assert len(seen) > 1_000
    places = {place.lower() for place in v.places[:50]}
    assert places & set(seen)


@pytest.mark.django_db(transaction=True)
def test_flat_spread_puts_events_on_the_days_asked_for():
    call_command("bench_data", articles=0, events=300, tags=10, comments=0, days=30, flat=True, verbosity=0)
    per_day = Counter(Story.objects.filter(kind="event").values_list("date", flat=True))
    assert len(per_day) == 30
    assert max(per_day.values()) < 25
