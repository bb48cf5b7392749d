from django.apps import AppConfig
from django.db.models.signals import post_save


class CommentsConfig(AppConfig):
    name = "newsroom.comments"
    label = "comments"
    verbose_name = "Reader comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .models import Comment
        from .signals import check_queue_length

        post_save.connect(check_queue_length, sender=Comment, dispatch_uid="comments.queue-length")
