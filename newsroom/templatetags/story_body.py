from django import template
from django.utils.safestring import SafeString

from ..figures import render_body

register = template.Library()


@register.filter
def story_body(body: str) -> SafeString:
    """A stored article body as readers see it, with its library figures filled in."""
    return render_body(body)
