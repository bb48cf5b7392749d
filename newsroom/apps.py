from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .models import Section
        from .signals import forget_navigation

        post_save.connect(forget_navigation, sender=Section, dispatch_uid="newsroom.nav.save")
        post_delete.connect(forget_navigation, sender=Section, dispatch_uid="newsroom.nav.delete")
