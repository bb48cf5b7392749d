from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from newsroom.images import add_avif, avif_enabled, build_renditions, delete_files
from newsroom.models import Image


def _files(renditions: dict) -> set[str]:
    return {name for entry in renditions.values() for name in (entry.get("file"), entry.get("avif")) if name}


class Command(BaseCommand):
    help = (
        "Make the renditions images stored earlier lack: by default an AVIF beside each WebP, for images "
        "uploaded before AVIF renditions were made. With --rebuild, every image's renditions are made again "
        "from its original (after DATELINE_IMAGE_RENDITION_WIDTHS changes). Safe to re-run: an image that "
        "already has what it needs is skipped, and one whose original cannot be read is reported and left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Make every rendition again, at today's widths.")

    def handle(self, *args, rebuild: bool, **options):
        if not rebuild and not avif_enabled():
            raise CommandError("This Pillow cannot write AVIF (or DATELINE_IMAGE_AVIF is off); nothing to add.")
        done = skipped = failed = 0
        for image in Image.objects.exclude(file="").only("pk", "file", "renditions").iterator(chunk_size=100):
            storage = image.file.storage
            before = image.renditions or {}
            try:
                if rebuild or not before:
                    after = build_renditions(image.file.name, storage)
                else:
                    after = add_avif(storage, image.file.name, before)
            except (ValidationError, OSError) as error:
                failed += 1
                message = "; ".join(getattr(error, "messages", [])) or str(error)
                self.stderr.write(f"Image {image.pk} ({image.file.name}): {message}")
                continue
            if after == before:
                skipped += 1
                continue
            Image.objects.filter(pk=image.pk).update(renditions=after)
            # Renditions of widths no longer made are removed with the row's reference to them.
            delete_files(storage, sorted(_files(before) - _files(after)))
            done += 1
        self.stdout.write(f"Renditions: {done} image(s) updated, {skipped} already complete, {failed} failed.")
