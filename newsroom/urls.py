from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsroom.views import media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("newsroom.comments.urls")),
    path("", include("newsroom.public_urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media)]
