"""Photo evidence is an image by its content, never by its name: a JPEG or PNG whose header
and body Pillow reads as such, of a sensible size. A renamed PDF or a truncated image is
refused with the field it came in."""

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MIN_SIDE = 16  # pixels: a 1x1 "photo" proves nothing
MAX_PIXELS = 60_000_000

JPEG_HEAD = b"\xff\xd8\xff"
PNG_HEAD = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Photo:
    content_type: str
    width: int
    height: int


def read_photo(upload) -> Photo | None:
    """The photo's type and size read from its bytes; None when it is not a whole JPEG or
    PNG image (or is empty, too large, or too small to show anything)."""
    size = getattr(upload, "size", None)
    if not size or size > MAX_PHOTO_BYTES:
        return None
    upload.seek(0)
    body = upload.read()
    upload.seek(0)
    if body.startswith(JPEG_HEAD):
        expected = "JPEG"
    elif body.startswith(PNG_HEAD):
        expected = "PNG"
    else:
        return None
    try:
        with Image.open(io.BytesIO(body)) as image:
            if image.format != expected:
                return None
            width, height = image.size
            if min(width, height) < MIN_SIDE or width * height > MAX_PIXELS:
                return None
            image.verify()  # a header on a broken body is no image
        with Image.open(io.BytesIO(body)) as image:
            image.load()  # verify() does not decode JPEG data: a truncated one fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return Photo("image/jpeg" if expected == "JPEG" else "image/png", width, height)
