from django import template

from events.related import related_stories as rank_related

register = template.Library()


@register.simple_tag
def related_stories(story, limit=10):
    """``{% related_stories story as items %}``: the one Related ranking, for any story."""
    return rank_related(story, limit=limit)
