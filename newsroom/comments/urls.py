from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("comments/post/<int:story_id>/", views.post_comment, name="post"),
    path("comments/token/<int:story_id>/", views.form_token, name="token"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/flag/", views.flag, name="flag"),
    path("comments/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("comments/sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("community-standards/", views.CommunityStandardsView.as_view(), name="standards"),
]
