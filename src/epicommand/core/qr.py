"""A QR code drawn inline in a page: the one place that marks QR markup safe."""

import segno
from django.utils.safestring import SafeString, mark_safe


def inline_svg(data: str, *, title: str | None = None) -> SafeString:
    """`data` as a QR code in SVG with only a viewBox, so the page's CSS sizes it. The
    data becomes black and white modules, never markup; segno escapes the title."""
    qr = segno.make(data, error="m")
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", title=title)
    return mark_safe(svg)  # noqa: S308  segno's own markup, see above
