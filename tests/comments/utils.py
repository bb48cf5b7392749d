"""Helpers for posting comments the way a reader's browser does."""

from __future__ import annotations

import time
from pathlib import Path

from django.core import signing

from newsroom.comments.forms import START_SALT


def started_token(story, seconds_ago: float = 60) -> str:
    return signing.dumps({"story": story.pk, "at": time.time() - seconds_ago}, salt=START_SALT, compress=True)


def form_data(story, **overrides) -> dict:
    data = {
        "body": "The new berth will help the ferry timetable.",
        "name": "Maria Lopes",
        "email": "maria@readers.example",
        "url": "",
        "agree": "on",
        "subject": "",
        "started": started_token(story),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_url(story) -> str:
    return f"/comments/post/{story.pk}/"


CORPUS = Path(__file__).resolve().parent / "corpus"


def load_corpus(name: str) -> list[str]:
    """Entries of a corpus file. Split on newlines only: some entries hold other Unicode line breaks on purpose."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [line.rstrip("\r") for line in text.split("\n") if line.strip() and not line.startswith("# ")]


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())
