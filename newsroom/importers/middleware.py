from django.http import HttpResponsePermanentRedirect

from newsroom.querysets import LIVE_STATUSES

from .models import LegacyAddress


class LegacyAddressMiddleware:
    """An address from an imported site that would answer 404 answers 301 to the story it became.

    Only 404s cost the lookup, one indexed query; every other response passes untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        path = request.path
        candidates = {path, path.rstrip("/") or "/", path if path.endswith("/") else path + "/"}
        found = (
            LegacyAddress.objects.filter(path__in=candidates, story__status__in=LIVE_STATUSES)
            .select_related("story")
            .first()
        )
        if found is None or not found.story.is_published:
            return response
        return HttpResponsePermanentRedirect(found.story.get_absolute_url())
