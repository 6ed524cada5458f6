"""Make the site's own raster images (run once; the PNGs are committed under static/img/):

- logo.png (512 × 512): the favicon's 平 mark, white on newspaper red — the JSON-LD publisher
  logo, which search engines want as a raster image of at least 112 × 112.
- og-image.png (1200 × 630): the mark and the site's name — what a shared link shows
  (og:image) when the page has no photo of its own. Chat apps do not show SVG.

Needs Pillow and Noto Serif CJK Bold (apt-get install fonts-noto-cjk) for the name.

    .venv/bin/python tools/brand_images.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "static" / "img"
RED, WHITE, INK = (163, 17, 31), (255, 255, 255), (27, 27, 27)
FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
# The favicon's strokes on its 32-unit grid (static/img/favicon.svg).
STROKES = [((7, 9), (25, 9)), ((16, 9), (16, 25)), ((9, 14), (12, 19)), ((23, 14), (20, 19))]
STROKES += [((6, 25), (26, 25))]


def mark(size):
    """The 平 mark, drawn at 4× and scaled down for smooth edges."""
    big = size * 4
    image = Image.new("RGB", (big, big), RED)
    draw = ImageDraw.Draw(image)
    unit, width = big / 32, round(big / 32 * 3)
    for (x1, y1), (x2, y2) in STROKES:
        a, b = (x1 * unit, y1 * unit), (x2 * unit, y2 * unit)
        draw.line([a, b], fill=WHITE, width=width)
        for x, y in (a, b):  # round caps, as stroke-linecap="round"
            draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


def og_image():
    image = Image.new("RGB", (1200, 630), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 560, 1200, 630], fill=RED)
    image.paste(mark(280), (110, 140))
    name = ImageFont.truetype(FONT, 112, index=0)
    place = ImageFont.truetype(FONT, 48, index=0)
    draw.text((450, 170), "平城社区新闻", font=name, fill=RED)
    draw.text((455, 340), "山西省大同市平城区", font=place, fill=INK)
    return image


if __name__ == "__main__":
    mark(512).save(OUT / "logo.png", optimize=True)
    og_image().save(OUT / "og-image.png", optimize=True)
    print("wrote", OUT / "logo.png", OUT / "og-image.png")
