from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsroom.readers.urls import link_patterns
from newsroom.views import media

# An unreachable database raised outside a view still answers 503, not 500 (newsroom.faults).
handler500 = "newsroom.faults.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("newsroom.readers.urls")),
    path("accounts/", include(link_patterns)),
    path("accounts/", include("allauth.urls")),
    path("", include("newsroom.api.urls")),
    path("", include("newsroom.comments.urls")),
    path("", include("newsroom.public_urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media)]
