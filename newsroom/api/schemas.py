"""What the content API answers, as pydantic schemas: the OpenAPI document is built from these."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class Schema(BaseModel):
    """Plain pydantic models: the answers are built as dicts, so Django-object lookups would only cost time."""


class Problem(Schema):
    detail: str = Field(description="What was wrong, in words a developer can act on.")
    errors: list[dict] = Field(default_factory=list, description="One entry per parameter that was refused.")


class ContextRef(Schema):
    name: str
    slug: str
    url: str


class SectionOut(Schema):
    id: int
    name: str
    path: str = Field(description="The section's address path, e.g. 'opinion/editorials'; the `section` filter.")
    parent_id: int | None
    url: str


class AuthorRef(Schema):
    id: int
    name: str
    slug: str
    role: str
    url: str


class AuthorOut(AuthorRef):
    email: str
    bio: str


class BylineOut(Schema):
    author: AuthorRef
    role: str = Field(description="The author's role on this piece, or their usual role.")


class OutletOut(Schema):
    id: int
    name: str
    homepage: str


class SourceOut(Schema):
    outlet: OutletOut
    title: str
    url: str
    published_on: dt.date | None


class CorrectionOut(Schema):
    note: str
    published_at: dt.datetime


class RenditionOut(Schema):
    url: str
    width: int
    height: int
    format: str = Field(description="Media type of the file, e.g. image/webp.")


class LeadImageOut(Schema):
    width: int
    height: int
    caption: str
    credit: str
    alt_text: str
    renditions: list[RenditionOut] = Field(description="Narrowest first.")


class TranslationRef(Schema):
    id: int
    language: str
    title: str
    url: str


class RelatedOut(Schema):
    title: str
    url: str
    story_id: int | None = Field(description="Empty for a link to another site.")
    kind: str | None
    label: str
    chosen_by_editor: bool
    shared_contexts: list[ContextRef]


class ArticlePart(Schema):
    headline: str
    standfirst: str
    body: str = Field(description="Sanitised HTML.")
    type: str = Field(description="news, editorial, opinion or analysis.")
    section: SectionOut | None
    dateline: str
    language: str
    byline: list[BylineOut]
    lead_image: LeadImageOut | None
    translation_of: int | None = Field(description="Id of the original article, for a translation.")
    translations: list[TranslationRef] = Field(description="The original and its other published translations.")


class EventPart(Schema):
    summary: str = Field(description="One sentence; HTML with emphasis and links only.")
    category: str
    category_label: str


class StoryOut(Schema):
    id: int
    kind: Literal["article", "event"]
    url: str
    title: str
    slug: str
    date: dt.date = Field(description="The story's day in the newsroom's time zone.")
    published_at: dt.datetime
    updated_at: dt.datetime
    withdrawn: Literal[False] = False
    contexts: list[ContextRef]
    sources: list[SourceOut]
    corrections: list[CorrectionOut]
    article: ArticlePart | None
    event: EventPart | None


class StoryDetailOut(StoryOut):
    related: list[RelatedOut] = Field(description="The same ranking as the story's page.")


class Tombstone(Schema):
    id: int
    url: str
    withdrawn: Literal[True] = True
    updated_at: dt.datetime


class StoryPage(Schema):
    items: list[StoryOut | Tombstone] = Field(
        description="Stories; with updated_since, also tombstones of withdrawn stories to delete."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; empty on the last page.")
    next: str | None = Field(description="The next page's full address.")


class ContextOut(ContextRef):
    id: int


class ContextPage(Schema):
    items: list[ContextOut]
    next_cursor: str | None
    next: str | None


class SectionPage(Schema):
    items: list[SectionOut]
    next_cursor: str | None
    next: str | None


class AuthorPage(Schema):
    items: list[AuthorOut]
    next_cursor: str | None
    next: str | None


class OutletPage(Schema):
    items: list[OutletOut]
    next_cursor: str | None
    next: str | None
