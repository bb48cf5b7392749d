from django.urls import path, re_path

from . import views

app_name = "newsroom"

# Dates accept one or two digits so that unpadded addresses can answer 301 to the padded form.
YEAR = r"(?P<year>[0-9]{4})"
MONTH = r"(?P<month>[0-9]{1,2})"
DAY = r"(?P<day>[0-9]{1,2})"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="home"),
    path("news/", views.LatestView.as_view(), name="latest"),
    re_path(rf"^news/{YEAR}/$", views.YearView.as_view(), name="year"),
    re_path(rf"^news/{YEAR}/{MONTH}/$", views.MonthView.as_view(), name="month"),
    re_path(rf"^news/{YEAR}/{MONTH}/{DAY}/$", views.DayView.as_view(), name="day"),
    re_path(rf"^news/{YEAR}/{MONTH}/{DAY}/(?P<slug>[-a-zA-Z0-9_]+)/$", views.StoryDetailView.as_view(), name="story"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("sections/<path:path>/", views.SectionView.as_view(), name="section"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
]
