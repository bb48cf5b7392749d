"""Give every context an address: repair empty, non-ASCII and case-clashing slugs.

A context whose slug was empty or held characters the ``tags/<slug>/`` route cannot
match had no working page, so its new slug needs no redirect. A slug that only
clashed with another context's by case did answer, so its old form is kept as a
redirect to the context.
"""

from django.db import migrations

from newsroom.tagslugs import is_addressable, slug_base, unique_slug


def repair_context_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    TagRedirect = apps.get_model("newsroom", "TagRedirect")
    seen: set[str] = set()
    for tag in Tag.objects.order_by("pk"):
        old = tag.slug or ""
        if is_addressable(old) and old.lower() not in seen:
            seen.add(old.lower())
            continue
        base = old.lower() if is_addressable(old) else slug_base(tag.name)
        tag.slug = unique_slug(
            base, tags=Tag.objects.exclude(pk=tag.pk), redirects=TagRedirect.objects.exclude(tag_id=tag.pk)
        )
        tag.save(update_fields=["slug"])
        seen.add(tag.slug.lower())
        if is_addressable(old):
            TagRedirect.objects.update_or_create(old_slug=old, defaults={"tag_id": tag.pk})


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0009_story_publish_at_index"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunPython(repair_context_slugs, migrations.RunPython.noop, elidable=True),
    ]
