from django import template

from events.related import related_stories as rank_related
from newsroom import surrogate

register = template.Library()


@register.simple_tag
def related_stories(story, limit=10):
    """``{% related_stories story as items %}``: the one Related ranking, for any story."""
    # A story published in one of these contexts may join the box: the page is kept under each of them.
    surrogate.add(*(surrogate.context_key(tag.slug) for tag in story.tags.all()))
    return rank_related(story, limit=limit)
