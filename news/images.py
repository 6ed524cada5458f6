"""Photos: checking an upload, cleaning it, and the renditions a phone downloads.

An editor's upload is checked before anything is written (`PhotoFormField`), then, when the
article is saved, re-encoded without metadata and with its EXIF orientation applied
(`clean_photo`), and resized once into WebP and JPEG renditions (`write_renditions`). The
public only ever downloads files this module wrote: no GPS position or camera serial leaves.
"""

import io
import re
import uuid
import warnings
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from PIL import Image, ImageOps

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMATS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}

# Anything above our own limit is refused before it is decoded; Pillow's bomb check is set to
# the same figure so that even a stray Image.open elsewhere cannot be made to decode a bomb.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

MESSAGES = {
    "too_big": "图片文件太大（%(size)s MB），最大 20 MB。请压缩后再上传。",
    "too_many_pixels": "图片像素太多（%(pixels)s 万像素），最多 4000 万像素。请缩小后再上传。",
    "bad_format": "只接受 JPEG、PNG 或 WebP 图片，这个文件是 %(format)s。",
    "not_image": "这个文件不是图片，或者已经损坏。请上传 JPEG、PNG 或 WebP 图片。",
    "truncated": "图片文件不完整（可能上传时中断了），请重新上传。",
}


def check_photo(data):
    """Refuse anything but a modest JPEG, PNG or WebP that decodes completely.

    Raises ValidationError with a message an editor can act on. `data` is an uploaded file.
    """
    if data.size > MAX_BYTES:
        raise ValidationError(
            MESSAGES["too_big"], code="too_big", params={"size": round(data.size / 2**20, 1)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            data.seek(0)
            with Image.open(data) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width * height)
                if image.format not in FORMATS:
                    raise ValidationError(
                        MESSAGES["bad_format"], code="bad_format", params={"format": image.format}
                    )
                try:
                    image.load()  # decodes every byte: truncated files fail here
                except OSError as exc:
                    raise ValidationError(MESSAGES["truncated"], code="truncated") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None) from exc
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds of errors on garbage input
        raise ValidationError(MESSAGES["not_image"], code="not_image") from exc
    finally:
        data.seek(0)


def _too_many_pixels(pixels):
    shown = f"{pixels // 10_000}" if pixels else "超过 4000"
    return ValidationError(
        MESSAGES["too_many_pixels"], code="too_many_pixels", params={"pixels": shown}
    )


class PhotoFormField(forms.ImageField):
    """An image field whose errors say exactly what is wrong, in Chinese."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        check_photo(data)
        return super().to_python(data)


class PhotoField(models.ImageField):
    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})


def photo_upload_to(instance, filename):
    """photos/2026/11/3f2a9c0d1e4b.jpg: a fresh, unguessable name for every upload, so a
    replaced photo never hides behind a cached URL and the editor's file name is not published."""
    suffix = PurePosixPath(filename).suffix.lower() or ".jpg"
    return timezone.now().strftime(f"photos/%Y/%m/{uuid.uuid4().hex[:16]}{suffix}")


def clean_photo(fieldfile):
    """The upload re-encoded: EXIF orientation applied, every metadata block dropped (EXIF with
    GPS and camera serial, XMP, comments); only the colour profile is kept. Returns
    (ContentFile, extension)."""
    fieldfile.seek(0)
    with Image.open(fieldfile) as original:
        fmt = original.format
        icc = original.info.get("icc_profile")
        image = ImageOps.exif_transpose(original)
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {
            "JPEG": {"quality": 90, "optimize": True},
            "PNG": {"optimize": True},
            "WEBP": {"quality": 90},
        }[fmt]
        if icc:
            options["icc_profile"] = icc
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)  # no exif=…: Pillow writes no metadata unless asked
    return ContentFile(buffer.getvalue()), FORMATS[fmt]


def rendition_widths(width):
    """The widths to make for a photo `width` px wide: never upscaled."""
    return sorted({min(w, width) for w in RENDITION_WIDTHS})


def rendition_name(name, width, ext):
    """photos/2026/11/abc.jpg → renditions/2026/11/abc-960.webp"""
    path = PurePosixPath(name)
    folder = PurePosixPath("renditions", *path.parent.parts[1:])
    return str(folder / f"{path.stem}-{width}.{ext}")


# Stored photo extensions (clean_photo writes jpg, png or webp; jpeg for older uploads).
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
RENDITION_PATH = re.compile(r"renditions/(?P<folder>.+)/(?P<stem>[^/]+)-\d+\.(?:webp|jpg)")


def photo_names_for(path):
    """The stored photo names a media path can belong to, undoing rendition_name:
    photos/2026/11/abc.jpg → [itself]; renditions/2026/11/abc-960.webp → photos/2026/11/abc.jpg,
    .jpeg, .png or .webp (the rendition does not say which). [] for any other path."""
    if path.startswith("photos/"):
        return [path]
    if match := RENDITION_PATH.fullmatch(path):
        base = f"photos/{match['folder']}/{match['stem']}"
        return [f"{base}.{ext}" for ext in PHOTO_EXTENSIONS]
    return []


def rendition_names(name, width):
    return [
        rendition_name(name, w, ext) for w in rendition_widths(width) for ext in RENDITION_FORMATS
    ]


def write_renditions(fieldfile):
    """Resize once, at save time, into every width and format. Returns the names written."""
    storage, written = fieldfile.storage, []
    with storage.open(fieldfile.name, "rb") as stored, Image.open(stored) as source:
        source.load()
        base = source.convert("RGBA" if source.mode in ("RGBA", "LA", "P") else "RGB")
    try:
        for width in rendition_widths(base.width):
            height = round(base.height * width / base.width)
            resized = (
                base.resize((width, height), Image.Resampling.LANCZOS)
                if width < base.width
                else base
            )
            for ext, (fmt, options) in RENDITION_FORMATS.items():
                image = (
                    resized.convert("RGB") if fmt == "JPEG" and resized.mode != "RGB" else resized
                )
                buffer = io.BytesIO()
                image.save(buffer, fmt, **options)
                name = rendition_name(fieldfile.name, width, ext)
                storage.delete(name)  # a leftover from a failed save must not shift the name
                written.append(storage.save(name, ContentFile(buffer.getvalue())))
    except Exception:
        delete_files(storage, written)
        raise
    return written


def delete_files(storage, names):
    for name in names:
        storage.delete(name)


def delete_photo(storage, name, width):
    """Remove a photo and all its renditions."""
    if name:
        delete_files(storage, [name, *rendition_names(name, width or max(RENDITION_WIDTHS))])


# Callables `keeps(name) -> bool` from apps that keep older copies of an article: the editors'
# versions name the photos they held, and a revert must find them. `news` does not know those
# apps (they register here), so it asks before removing anything.
PHOTO_KEEPERS = []


def release_photo(storage, name, width):
    """A photo the row no longer shows (replaced, cleared, or its item deleted): remove its files
    unless a keeper still needs them."""
    if name and not any(keeps(name) for keeps in PHOTO_KEEPERS):
        delete_photo(storage, name, width)


def srcsets(fieldfile, width):
    """{"webp": "url 480w, …", "jpg": "…"} and the middle JPEG as the plain `src`."""
    storage = fieldfile.storage
    widths = rendition_widths(width)
    sets = {
        ext: ", ".join(
            f"{storage.url(rendition_name(fieldfile.name, w, ext))} {w}w" for w in widths
        )
        for ext in RENDITION_FORMATS
    }
    fallback = storage.url(rendition_name(fieldfile.name, widths[min(1, len(widths) - 1)], "jpg"))
    return {**sets, "src": fallback}
