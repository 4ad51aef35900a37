"""Printable place-code posters: the QR code of the venue's public scan page with the
venue's name under it, as SVG (vector, for print shops) and PNG."""

import io
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from .codes import place_code
from .models import Venue

# Debian's fonts-noto-cjk and a few other common places for a font with Chinese glyphs.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def scan_url(venue: Venue, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/p/{place_code(venue)}/"


def poster_svg(venue: Venue, base_url: str) -> bytes:
    qr = segno.make(scan_url(venue, base_url), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=10, border=4, xmldecl=False, svgns=True)
    qr_svg = buffer.getvalue().decode()
    size = qr.symbol_size(scale=10, border=4)[0]
    name = _xml_escape(venue.name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 110}" '
        f'viewBox="0 0 {size} {size + 110}">'
        f'<rect width="100%" height="100%" fill="#fff"/>{qr_svg}'
        f'<text x="{size / 2}" y="{size + 45}" font-size="32" text-anchor="middle" '
        f'font-family="Noto Sans CJK SC, sans-serif">{name}</text>'
        f'<text x="{size / 2}" y="{size + 90}" font-size="20" text-anchor="middle" '
        f'font-family="Noto Sans CJK SC, sans-serif">{_xml_escape(venue.address)}</text></svg>'
    ).encode()


def poster_png(venue: Venue, base_url: str) -> bytes:
    qr = segno.make(scan_url(venue, base_url), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=10, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    poster = Image.new("RGB", (code.width, code.height + 110), "white")
    poster.paste(code, (0, 0))
    draw = ImageDraw.Draw(poster)
    for text, size, y in (
        (venue.name, 32, code.height + 30),
        (venue.address, 20, code.height + 80),
    ):
        font = _font(size)
        width = draw.textlength(text, font=font)
        draw.text(((code.width - width) / 2, y), text, fill="black", font=font, anchor="lm")
    out = io.BytesIO()
    poster.save(out, format="PNG")
    return out.getvalue()


@lru_cache(maxsize=8)
def _font(size: int):
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    # Without a CJK font installed Chinese names render as boxes; the SVG poster still
    # names the venue correctly and `apt-get install fonts-noto-cjk` fixes the PNG.
    return ImageFont.load_default(size)


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
