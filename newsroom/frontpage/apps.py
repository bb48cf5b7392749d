from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class FrontPageConfig(AppConfig):
    name = "newsroom.frontpage"
    label = "frontpage"
    verbose_name = "Front page"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from newsroom import pagecache

        from . import arrangement
        from .models import Zone

        # Zones are edited one at a time in their own admin. Placements are written only by the publish
        # service, which forgets the arrangement once for the whole change; a placement deleted along with
        # its story needs nothing, as the story's own deletion retires the pages and a missing story is skipped.
        post_save.connect(arrangement.forget_after_save, sender=Zone, dispatch_uid="frontpage.zone.save")
        post_delete.connect(arrangement.forget_after_save, sender=Zone, dispatch_uid="frontpage.zone.delete")
        pagecache.register_due_moment(arrangement.next_expiry)
