from django.urls import path, re_path

from . import views

app_name = "readers"

# allauth's two pages reached from a link in an email, with its own names so its redirects and emails find
# them here first (newsroom/urls.py includes these before allauth's): a link that names nothing answers 404.
link_patterns = [
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", views.ConfirmEmailView.as_view(), name="account_confirm_email"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.PasswordResetFromKeyView.as_view(),
        name="account_reset_password_from_key",
    ),
]

urlpatterns = [
    path("", views.account, name="account"),
    path("name/", views.change_name, name="name"),
    path("email-choices/", views.change_preferences, name="preferences"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]
