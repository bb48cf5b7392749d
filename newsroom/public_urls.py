from django.urls import path, re_path

from . import feeds, preview, search, sitemaps, views

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
    # The Markdown twins come before the story route; "index" is the day's own file.
    re_path(rf"^news/{YEAR}/{MONTH}/{DAY}/index\.md$", views.day_markdown, name="day_markdown"),
    re_path(rf"^news/{YEAR}/{MONTH}/{DAY}/(?P<slug>[-a-zA-Z0-9_]+)\.md$", views.story_markdown, name="story_markdown"),
    re_path(rf"^news/{YEAR}/{MONTH}/{DAY}/(?P<slug>[-a-zA-Z0-9_]+)/$", views.StoryDetailView.as_view(), name="story"),
    re_path(
        rf"^news/{YEAR}/{MONTH}/{DAY}/(?P<slug>[-a-zA-Z0-9_]+)/print/$",
        views.StoryPrintView.as_view(),
        name="story_print",
    ),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("sections/<path:path>/", views.SectionView.as_view(), name="section"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    path("preview/<str:token>/", preview.preview, name="preview"),
    path("search/", search.search, name="search"),
    path("feeds/latest/rss/", feeds.LatestFeed(), name="feed_latest"),
    path("feeds/latest/atom/", feeds.LatestAtomFeed(), name="feed_latest_atom"),
    path("feeds/events/rss/", feeds.EventsFeed(), name="feed_events"),
    path("feeds/events/atom/", feeds.EventsAtomFeed(), name="feed_events_atom"),
    path("feeds/sections/<path:path>/rss/", feeds.SectionFeed(), name="feed_section"),
    path("feeds/sections/<path:path>/atom/", feeds.SectionAtomFeed(), name="feed_section_atom"),
    path("feeds/tags/<slug:slug>/rss/", feeds.TagFeed(), name="feed_tag"),
    path("feeds/tags/<slug:slug>/atom/", feeds.TagAtomFeed(), name="feed_tag_atom"),
    path("feeds/authors/<slug:slug>/rss/", feeds.AuthorFeed(), name="feed_author"),
    path("feeds/authors/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="feed_author_atom"),
    path("feeds/corrections/rss/", feeds.CorrectionsFeed(), name="feed_corrections"),
    path("feeds/corrections/atom/", feeds.CorrectionsAtomFeed(), name="feed_corrections_atom"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap_index"),
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap_news"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    # "Most read now" where an HTTP cache answers the pages: a page reports its read, and fetches the box.
    path("reads/<int:story_id>/", views.count_read, name="read"),
    path("most-read/", views.most_read_box, name="most_read"),
]
