"""QR codes for printed pages, as SVG data URIs.

Why an SVG data URI:

- no extra request (and no view to serve, cache or rate-limit for the image);
- it goes into an ``<img src>`` attribute, which Django's autoescaping handles, so there is no
  inline ``<svg>`` markup that would need ``mark_safe``;
- it is a vector, so it prints sharply at any size.
"""

from functools import lru_cache

import segno


@lru_cache(maxsize=4096)  # a URL's code never changes; making one costs ~8 ms, reading 0.
def qr_data_uri(url: str) -> str:
    """Return a ``data:image/svg+xml`` URI of a QR code encoding ``url``.

    Error correction level M (15 %: survives a crease or a smudge on a notice board without
    making the symbol much denser), never a Micro QR (phones' cameras may not read those), the
    standard quiet zone of 4 modules, black modules on white.

    Scale 1 with ``omitsize``: the SVG has a ``viewBox`` of one unit per module and no
    width/height, so the ``<img>`` (its width/height attributes, then CSS) sets the printed size
    and the vector scales to it with sharp edges.
    """
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    return qr.svg_data_uri(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        omitsize=True,
        svgclass=None,
        lineclass=None,
    )
