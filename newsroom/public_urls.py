from django.urls import path

app_name = "newsroom"
urlpatterns = [
    path("news/<int:year>/<int:month>/<int:day>/<slug:slug>/", lambda r, **k: None, name="story"),
    path("sections/<path:path>/", lambda r, **k: None, name="section"),
    path("authors/<slug:slug>/", lambda r, **k: None, name="author"),
]
