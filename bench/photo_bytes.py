"""How many bytes a phone downloads for the lead photo, against the original upload.

    .venv/bin/python bench/photo_bytes.py [PHOTO.jpg]

Without an argument a phone-sized (4032×3024) synthetic photo is made with Pillow, with
camera EXIF; with one, that file is used. The photo goes through the real pipeline (Article.save)
into a throwaway database, the front page and the article are served by a real WSGI server,
and Debian's Chromium opens them at 375 px wide (DPR 2 and 3) and counts the image bytes it
actually received. Not a test: it prints figures for the README and the issue notes.
"""

import io
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_VAR_DIR"] = tempfile.mkdtemp(prefix="pingcheng-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402


def synthetic_photo():
    """A 12-megapixel phone photo stand-in: smooth light, mid detail and sensor noise."""
    size = (4032, 3024)
    light = Image.linear_gradient("L").resize(size).convert("RGB")
    detail = Image.effect_noise((size[0] // 16, size[1] // 16), 60).resize(size, Image.BICUBIC)
    grain = Image.effect_noise(size, 18)
    image = Image.merge("RGB", (light.getchannel(0), detail, grain))
    image = Image.blend(image, image.filter(ImageFilter.GaussianBlur(2)), 0.5)
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    from news.models import Article

    original = Path(sys.argv[1]).read_bytes() if len(sys.argv) > 1 else synthetic_photo()
    call_command("migrate", verbosity=0)
    call_command("seed_bulletin", verbosity=0, stdout=io.StringIO())
    call_command("collectstatic", "--noinput", verbosity=0)
    lead = Article.objects.get(is_lead=True)
    lead.photo = SimpleUploadedFile("lead.jpg", original, content_type="image/jpeg")
    lead.photo_alt = "高敏与儿童交流"
    lead.save()

    from pingcheng.wsgi import application  # after collectstatic: whitenoise indexes at start

    server = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    print(f"original upload: {len(original):,} bytes ({Image.open(io.BytesIO(original)).size})")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for dpr in (2, 3):
            for path in ("/", lead.get_absolute_url()):
                context = browser.new_context(
                    viewport={"width": 375, "height": 812}, device_scale_factor=dpr
                )
                page = context.new_page()
                images = []
                page.on(
                    "requestfinished",
                    lambda r, images=images: r.resource_type == "image" and images.append(r),
                )
                page.goto(base + path, wait_until="networkidle")
                got = [(r.url.rsplit("/", 1)[1], len(r.response().body())) for r in images]
                total = sum(size for _, size in got)
                print(
                    f"375 px, DPR {dpr}, {path:<10} {total:>9,} bytes "
                    f"({total / len(original):.1%} of the upload): {got}"
                )
                context.close()
        browser.close()
    server.shutdown()
    shutil.rmtree(os.environ["DJANGO_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
