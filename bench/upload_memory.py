"""Peak memory and time of one image upload, each in a fresh process.

An upload is measured the way the admin handles it: the form field's checks
(header, then one decode within budget that also renders the WebP renditions
in memory, which the model then stores). Storage writes are left out; they
cost little memory. Each upload runs in its own subprocess, whose ``ru_maxrss`` is its peak
resident memory; the figure reported is that peak minus the peak after Django
and Pillow were imported, so it is what the upload itself added. The upload is
read from a file on disk, as Django hands over any upload larger than 2.5 MB.
Time is the process's CPU time, which other work on the machine does not inflate.

``--legacy`` also measures the way uploads were handled before the memory
budget (full-size decode, a full-size rendition), for comparison.

    .venv/bin/python bench/upload_memory.py [--legacy] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, width, height, format): a phone or 24 MP camera frame and two at the old 40 MP limit.
CASES = [
    ("12 MP JPEG", 4000, 3000, "JPEG"),
    ("24 MP JPEG", 6000, 4000, "JPEG"),
    ("40 MP JPEG", 7744, 5164, "JPEG"),
    ("50 MP JPEG", 8660, 5773, "JPEG"),
    ("24 MP PNG", 6000, 4000, "PNG"),
    ("40 MP PNG", 7744, 5164, "PNG"),
]


def make_picture(width: int, height: int, fmt: str, target: Path) -> None:
    """A photograph-like picture: smooth gradients with fine grain, so encoders work as hard as on a real one."""
    from PIL import Image

    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), 24)
    blue = Image.blend(red, grain, 0.5)
    picture = Image.merge("RGB", (red, green, blue))
    if fmt == "JPEG":
        picture.save(target, "JPEG", quality=90)
    else:
        picture.save(target, "PNG", compress_level=1)


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def child(path: str, legacy: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import UploadedFile
    from PIL import Image  # noqa: F401 - imported before the baseline is taken

    from newsroom import images

    class UploadOnDisk(UploadedFile):
        """An upload as Django hands over one larger than FILE_UPLOAD_MAX_MEMORY_SIZE: a file on disk."""

        def temporary_file_path(self) -> str:
            return path

    upload = UploadOnDisk(open(path, "rb"), Path(path).name, None, Path(path).stat().st_size)  # noqa: SIM115
    baseline = peak_kb()
    before = resource.getrusage(resource.RUSAGE_SELF)
    if legacy:
        renditions = legacy_upload(upload)
    else:
        checked = images.SafeImageFormField().clean(upload)
        renditions = [r.width for r in getattr(checked, images.PREPARED_ATTRIBUTE).renditions]
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"baseline_kb": baseline, "peak_kb": peak_kb(), "cpu_seconds": cpu, "widths": renditions}))


def legacy_upload(upload) -> list[int]:
    """What an upload cost before: Django's verify, a full-size decode and a full-size WebP rendition."""
    from django import forms
    from django.conf import settings
    from PIL import Image

    from newsroom.images import check_upload

    check_upload(upload)
    forms.ImageField().clean(upload)
    upload.seek(0)
    with Image.open(upload) as original:
        original.load()
        source = original.convert("RGBA" if original.mode in ("RGBA", "LA", "P") else "RGB")
    widths = sorted({w for w in settings.DATELINE_IMAGE_RENDITION_WIDTHS if w < source.width}) + [source.width]
    for width in widths:
        height = max(1, round(source.height * width / source.width))
        resized = source if width == source.width else source.resize((width, height), Image.LANCZOS)
        resized.save(io.BytesIO(), "WEBP", quality=80, method=4)
    return widths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legacy", action="store_true", help="also measure the handling before the memory budget")
    parser.add_argument("--keep", help="write the test pictures here and keep them")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-legacy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        target, width, height, fmt = args.make
        make_picture(int(width), int(height), fmt, Path(target))
        return
    if args.child:
        child(args.child, args.child_legacy)
        return

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dateline-upload-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    # Every case is measured whatever the configured limits: the figures are what the limits are chosen from.
    env = {
        **os.environ,
        "IMAGE_MAX_PIXELS": "51000000",
        "IMAGE_MAX_PIXELS_JPEG": "51000000",
        "IMAGE_MAX_BYTES": str(500 * 1024 * 1024),
    }
    modes = [("budget", False)] + ([("before", True)] if args.legacy else [])
    print("| upload | file size | handling | peak RSS added | CPU time | renditions |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, width, height, fmt in CASES:
        target = folder / f"{label.replace(' ', '-').lower()}.{fmt.lower()}"
        if not target.exists():
            # Drawn in a process of its own: a child's ru_maxrss starts from its parent's peak at the fork.
            make = [sys.executable, __file__, "--make", str(target), str(width), str(height), fmt]
            subprocess.run(make, check=True, cwd=ROOT)
        size_mb = target.stat().st_size / 1024 / 1024
        for mode, legacy in modes:
            command = [sys.executable, __file__, "--child", str(target)] + (["--child-legacy"] if legacy else [])
            done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
            if done.returncode != 0:
                print(f"| {label} | {size_mb:.1f} MB | {mode} | failed: {done.stderr.strip().splitlines()[-1]} | | |")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            added = (result["peak_kb"] - result["baseline_kb"]) / 1024
            widths = ", ".join(str(w) for w in result["widths"])
            cpu = result["cpu_seconds"]
            print(f"| {label} | {size_mb:.1f} MB | {mode} | {added:.0f} MB | {cpu:.1f} s | {widths} |")
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
