"""Factories for Dateline's models. Every test builds its data through these."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from events.models import Event
from newsroom.models import Article, Author, Byline, Image, Outlet, RelatedLink, Section, Source, Status


def png_bytes(width: int = 64, height: int = 48, color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name: str = "photo.png", width: int = 64, height: int = 48) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(width, height), content_type="image/png")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Correspondent"
    email = factory.Sequence(lambda n: f"author{n}@dateline.example")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    homepage = factory.LazyAttribute(lambda o: f"https://outlet{o.name.split()[-1]}.example/")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(png_upload)
    caption = "Boats in the harbour at dawn"
    credit = "Test Photographer / Dateline"
    alt_text = "Fishing boats moored in a calm harbour"


def _published_at():
    return timezone.now() - timedelta(hours=1)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Council approves harbour plan number {n}")
    standfirst = "The vote ends a two-year argument over the waterfront."
    body = "<p>The council voted on Tuesday.</p><p>Work starts in spring.</p>"
    status = Status.PUBLISHED
    publish_at = factory.LazyFunction(_published_at)
    section = factory.SubFactory(SectionFactory)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            for order, author in enumerate(extracted):
                Byline.objects.create(article=self, author=author, order=order)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    summary = factory.Sequence(lambda n: f"The port authority reopens berth {n} after repairs.")
    category = Event.Category.ECONOMY
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    status = Status.PUBLISHED
    publish_at = factory.LazyFunction(_published_at)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    outlet = factory.SubFactory(OutletFactory)
    title = "Berth reopens"
    url = factory.Sequence(lambda n: f"https://news.example/story/{n}")


class RelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedLink


# Reader comments and moderation.


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved guest comment on a published article unless told otherwise."""

    class Meta:
        model = "comments.Comment"

    story = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.LazyAttribute(lambda c: f"{c.name.lower().replace(' ', '.')}@readers.example")
    body = factory.Sequence(lambda n: f"A thoughtful point about the harbour, number {n}.")
    status = "approved"
    ip_address = "192.0.2.10"


class WordRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.WordRule"
        django_get_or_create = ("phrase",)

    phrase = factory.Sequence(lambda n: f"forbidden{n}")
    action = "hold"


class ModeratorFactory(UserFactory):
    """A staff account in the Moderator group, with only the group's permissions."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"moderator{n}")
    is_staff = True

    @factory.post_generation
    def moderator_group(self, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group, Permission

            from newsroom.comments.permissions import grant_moderator_permissions

            # Browser tests empty the database between tests, taking the migration's group with it.
            self.groups.add(grant_moderator_permissions(Group, Permission))
