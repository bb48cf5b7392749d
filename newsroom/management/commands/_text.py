"""Made-up but realistic text for the benchmark archive.

A vocabulary of tens of thousands of words is built from syllables with a seeded
random generator, so the same seed always gives the same words in the same
order. Words are used with a Zipf law (the word of rank r about 1/r as often as
the first), as in real text: a few words are on most stories, most words on a
handful, some on one or none. That is what makes search realistic: a common
word matches a large share of the archive, a rare one a few stories, and
combinations of words anything in between. Recurring two-word phrases, people
and places are drawn the same way. The module starts with an underscore so
Django does not take it for a command.
"""

from __future__ import annotations

import itertools
import math
import random
from functools import lru_cache

# Grammar words lead real text; PostgreSQL's English search ignores them, as it should.
FUNCTION_WORDS = ["the", "of", "in", "to", "and", "a", "on", "for", "after", "with", "over", "from", "as", "by", "near"]
# Newsroom words the archive should read like, spread through the head of the vocabulary.
NEWS_TEXT = (
    "government minister council harbour election vote budget court ruling police report market shares company "
    "workers strike union inflation prices energy pipeline storm flood rescue villagers hospital doctors patients "
    "vaccine research scientists university students teachers school contract bridge railway airport flight border "
    "talks summit treaty ceasefire troops protest crowd mayor governor president parliament opposition coalition "
    "party leader campaign poll result season match final coach player record museum festival film author prize "
    "drought harvest farmers export import tariff bank rates investors growth deficit debt reform law judge appeal "
    "prison sentence charge inquiry commission evidence witness fire district province capital region coast island "
    "river mountain city"
)
NEWS_WORDS = NEWS_TEXT.split()
VERB_TEXT = "approves rejects delays announces opens closes wins loses signs blocks backs warns plans cuts raises"
VERBS = VERB_TEXT.split()
ONSETS = [
    "", "", "b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "kl", "l", "m", "n", "p", "pr",
    "qu", "r", "s", "sh", "sl", "st", "t", "th", "tr", "v", "w", "z",
]  # fmt: skip
NUCLEI = ["a", "a", "e", "e", "i", "o", "o", "u", "ai", "ea", "ou", "io", "ei"]
CODAS = ["", "", "", "n", "r", "l", "s", "t", "m", "nd", "rt", "st", "ng", "k", "x", "sh"]
PLACE_ENDINGS = ["", "", "ton", "burg", "ville", "port", "stad", "grad", "abad", "pur", "mouth", "field", "ia", "esh"]
VOCABULARY_SIZE = 40_000
ZIPF_EXPONENT = 1.0


def syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)


def cumulative(count: int, exponent: float = ZIPF_EXPONENT) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


class Vocabulary:
    """Words, phrases, people and places, each list in order of how often it is used."""

    def __init__(self, seed: int = 1, size: int = VOCABULARY_SIZE):
        rng = random.Random(f"dateline-vocabulary-{seed}")
        taken = set(FUNCTION_WORDS) | set(NEWS_WORDS) | set(VERBS)
        made: list[tuple[float, str]] = []
        while len(made) < size - len(NEWS_WORDS):
            count = rng.choice((1, 2, 2, 2, 3, 3, 3, 4))
            word = "".join(syllable(rng) for _ in range(count))
            if 3 <= len(word) <= 14 and word not in taken:
                taken.add(word)
                # Short words tend to be the common ones, as in real languages, but not strictly.
                made.append((count + rng.random() * 2.5, word))
        made.sort()
        synthetic = [word for _, word in made]
        # The newsroom's own words take every other place among the first few hundred.
        content: list[str] = []
        news = iter(NEWS_WORDS)
        for rank, word in enumerate(synthetic):
            if rank % 2 == 0 and rank < 2 * len(NEWS_WORDS):
                content.append(next(news))
            content.append(word)
        self.content = content
        self.words = FUNCTION_WORDS + content
        self.all_weights = cumulative(len(self.words))
        self.content_weights = cumulative(len(self.content))
        self.phrases = self._phrases(rng, 3_000)
        self.phrase_weights = cumulative(len(self.phrases))
        self.places = self._names(rng, 5_000, endings=True)
        self.place_weights = cumulative(len(self.places), 0.9)
        given, family = self._names(rng, 600), self._names(rng, 3_000)
        self.people = [f"{first} {last}" for first, last in zip(rng.choices(given, k=8_000), family * 3, strict=False)]
        self.people_weights = cumulative(len(self.people), 0.8)

    def _phrases(self, rng: random.Random, count: int) -> list[str]:
        phrases: dict[str, None] = {}
        # Ranks spread evenly on a log scale, so a phrase may pair common words, rare ones, or one of each.
        top = math.log(5_000)
        while len(phrases) < count:
            first = self.content[int(math.exp(rng.uniform(0, top))) - 1]
            second = self.content[int(math.exp(rng.uniform(0, top))) - 1]
            if first != second:
                phrases[f"{first} {second}"] = None
        return list(phrases)

    @staticmethod
    def _names(rng: random.Random, count: int, endings: bool = False) -> list[str]:
        names: dict[str, None] = {}
        while len(names) < count:
            name = "".join(syllable(rng) for _ in range(rng.choice((1, 2, 2, 3))))
            if endings:
                name += rng.choice(PLACE_ENDINGS)
            if 3 <= len(name) <= 16:
                names[name.capitalize()] = None
        return list(names)

    # Drawing text ---------------------------------------------------------------

    def draw(self, rng: random.Random, k: int) -> list[str]:
        """k words of running text, grammar words included."""
        return rng.choices(self.words, cum_weights=self.all_weights, k=k)

    def draw_content(self, rng: random.Random, k: int) -> list[str]:
        """k words that carry meaning: for headlines and slugs."""
        return rng.choices(self.content, cum_weights=self.content_weights, k=k)

    def place(self, rng: random.Random) -> str:
        return rng.choices(self.places, cum_weights=self.place_weights)[0]

    def person(self, rng: random.Random) -> str:
        return rng.choices(self.people, cum_weights=self.people_weights)[0]

    def phrase(self, rng: random.Random) -> str:
        return rng.choices(self.phrases, cum_weights=self.phrase_weights)[0]

    def sentence(self, rng: random.Random, low: int = 8, high: int = 18) -> str:
        words = self.draw(rng, rng.randint(low, high))
        roll = rng.random()
        if roll < 0.35:
            words.insert(rng.randrange(len(words) + 1), self.phrase(rng))
        if roll < 0.15 or roll > 0.8:
            words.insert(rng.randrange(len(words) + 1), f"in {self.place(rng)}")
        if 0.5 < roll < 0.65:
            words.append(f"said {self.person(rng)}")
        return " ".join(words).capitalize() + "."

    def headline(self, rng: random.Random, low: int, high: int) -> list[str]:
        """Words of a headline, subject first then a verb, sometimes a place or a person in front."""
        words = self.draw_content(rng, rng.randint(low, high))
        words.insert(1, rng.choice(VERBS))
        roll = rng.random()
        if roll < 0.2:
            words.insert(0, self.place(rng))
        elif roll < 0.3:
            words[0:0] = self.person(rng).split()
        if rng.random() < 0.25:
            words[2:2] = self.phrase(rng).split()
        return words

    # Picking search words ---------------------------------------------------------

    def common(self, count: int) -> list[str]:
        """Words among the most used: each on a large share of stories."""
        return [self.content[rank] for rank in range(1, 3 * count + 1, 3)][:count]

    def middling(self, count: int) -> list[str]:
        return [self.content[rank] for rank in range(2_000, 2_000 + 7 * count, 7)]

    def rare(self, count: int) -> list[str]:
        return [self.content[rank] for rank in range(30_000, 30_000 + 11 * count, 11)]


@lru_cache(maxsize=4)
def vocabulary(seed: int = 1) -> Vocabulary:
    return Vocabulary(seed)
