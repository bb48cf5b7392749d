from django.apps import AppConfig
from django.db.models.signals import post_save


class ReadersConfig(AppConfig):
    name = "newsroom.readers"
    label = "readers"
    verbose_name = "Reader accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib import admin

        # allauth puts its email addresses in the admin; readers' addresses are theirs to manage, on their
        # own page, and no editor's screen needs them.
        if admin.site.is_registered(EmailAddress):
            admin.site.unregister(EmailAddress)

        from newsroom.comments.models import Comment

        from .notifications import tell_reader_of_decision

        post_save.connect(tell_reader_of_decision, sender=Comment, dispatch_uid="readers.comment_decision")
