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
        from .models import Placement, Zone

        # Zones are edited one at a time in their own admin; placements are written by the publish service,
        # which forgets the arrangement itself. Either way the stored pages and the kept arrangement go.
        for model in (Zone, Placement):
            uid = f"frontpage.{model._meta.model_name}"
            post_save.connect(arrangement.forget_after_save, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(arrangement.forget_after_save, sender=model, dispatch_uid=f"{uid}.delete")
        pagecache.register_due_moment(arrangement.next_expiry)
