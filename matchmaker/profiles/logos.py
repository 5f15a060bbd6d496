"""Uploaded logos, decoded and drawn again as a fresh PNG.

A file's first bytes prove nothing: an HTML page behind a PNG signature, or a small
PNG whose header claims 20,000 x 20,000 pixels (a decompression bomb), passed a
signature check. Here the image's header is read first and its size checked against
`MAX_LOGO_PIXELS` before any pixel is decoded; then the whole image is decoded by
Pillow and written out again as PNG, so what is stored and served is only ever pixels
this code produced, never the uploaded bytes.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

MAX_LOGO_PIXELS = 4000 * 4000
MAX_LOGO_SIDE = 1024  # stored logos are shown small; larger ones are scaled down
FORMATS = ("PNG", "JPEG", "WEBP")


class LogoError(ValueError):
    """Not a logo this app takes; `reason` is 'format', 'pixels' or 'broken'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def redraw_logo(data: bytes) -> bytes:
    """The logo in DATA as a new PNG, or LogoError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_LOGO_PIXELS:
                    raise LogoError("pixels")
                image.load()
                image = image.convert("RGBA")
    except LogoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError("pixels") from None
    except UnidentifiedImageError:
        raise LogoError("format") from None
    except (OSError, ValueError, SyntaxError, EOFError):  # truncated or corrupt pixel data
        raise LogoError("broken") from None
    image.thumbnail((MAX_LOGO_SIDE, MAX_LOGO_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
