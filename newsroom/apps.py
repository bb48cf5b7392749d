from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from taggit import apps as taggit_apps

# "newsroom" in INSTALLED_APPS means NewsroomConfig; the two configs beside it are named in full there.


class DatelineAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the newsroom's own site (dashboard, labels) as the default ``admin.site``."""

    default = False
    default_site = "newsroom.adminsite.DatelineAdminSite"


class ContextsConfig(taggit_apps.TaggitAppConfig):
    """taggit's tags are Dateline's contexts; the admin names the app so."""

    default = False
    verbose_name = "Contexts"


class NewsroomConfig(AppConfig):
    default = True
    name = "newsroom"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import mimetypes

        # Older systems' MIME tables lack AVIF; a rendition served as octet-stream would not show.
        mimetypes.add_type("image/avif", ".avif")
        from .cache import stale
        from .models import Section
        from .signals import forget_navigation, forget_stale_navigation, grant_roles_after_migrate

        post_save.connect(forget_navigation, sender=Section, dispatch_uid="newsroom.nav.save")
        post_delete.connect(forget_navigation, sender=Section, dispatch_uid="newsroom.nav.delete")
        stale.connect(forget_stale_navigation, dispatch_uid="newsroom.nav.stale")
        # Apps installed after the roles' migration still give the roles (the Administrator above all) theirs.
        post_migrate.connect(grant_roles_after_migrate, dispatch_uid="newsroom.roles.post_migrate")

        from taggit.models import Tag

        from .tagslugs import assign_context_slug

        pre_save.connect(assign_context_slug, sender=Tag, dispatch_uid="newsroom.context_slug")

        from django.db.backends.signals import connection_created

        from .prepared import watch_prepared_statements

        # A column's type changed by a migration while servers run must not break the statements they prepared.
        connection_created.connect(watch_prepared_statements, dispatch_uid="newsroom.prepared_statements")

        from django.apps import apps

        from .models import Story
        from .search import index_story_after_save

        # post_save names the concrete class saved, so every kind of story (events included,
        # which this app may not import) is connected by walking the registry.
        for model in apps.get_models():
            if issubclass(model, Story):
                post_save.connect(index_story_after_save, sender=model, dispatch_uid=f"search.{model._meta.label}")

        from .archive import story_deleted

        # Deleting an article or event deletes its story row too, and that row alone is counted.
        post_delete.connect(story_deleted, sender=Story, dispatch_uid="newsroom.archive.delete")

        self.connect_page_cache()

    def connect_page_cache(self) -> None:
        from django.apps import apps

        from . import invalidation, pagecache
        from .cache import stale

        invalidation.connect()
        stale.connect(pagecache.forget_everything_kept, dispatch_uid="pagecache.stale")
        if apps.is_installed("newsroom.comments"):
            comment = apps.get_model("comments.Comment")
            post_save.connect(pagecache.forget_thread_after_comment, sender=comment, dispatch_uid="pagecache.comment")
            post_delete.connect(
                pagecache.forget_thread_after_comment, sender=comment, dispatch_uid="pagecache.comment.del"
            )
