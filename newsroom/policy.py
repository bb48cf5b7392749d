"""The Content-Security-Policy header (django-csp), built once per process rather than once per response.

django-csp builds the header text from the settings for every response, a page replayed from the page cache
included, though the text changes only with the settings. ``ContentSecurityPolicyMiddleware`` keeps the text
of each policy that has no response-specific part (no nonce, no ``csp_update``/``csp_replace`` on the view),
forgets it when the settings change (tests), and leaves a header already on the response alone, as django-csp
itself does: a stored page carries the policy it was rendered under.
"""

from __future__ import annotations

from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_built: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_built(setting=None, **kwargs) -> None:
    if setting and setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, the same headers on the same responses, with the text of each policy kept."""

    def process_response(self, request, response):
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, report_only, setting in (
            (HEADER, False, "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            if header in response or getattr(response, "_csp_exempt_ro" if report_only else "_csp_exempt", False):
                continue
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if request.path_info.startswith(tuple(excluded)):
                continue
            policy = self._policy(request, response, report_only)
            if policy:
                response[header] = policy
        # As django-csp: once the header is written, asking for a nonce is an error, not a silent gap.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policy(self, request, response, report_only: bool) -> str:
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        if parts.config is None and parts.update is None and parts.replace is None and parts.nonce is None:
            if report_only not in _built:
                _built[report_only] = build_policy(report_only=report_only)
            return _built[report_only]
        return build_policy(**asdict(parts), report_only=report_only)
