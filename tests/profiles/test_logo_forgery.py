"""Logos are decoded and redrawn, not trusted by their first bytes: the two forgeries
that were accepted and served (an HTML page behind a PNG signature, a 3.9 KB PNG
claiming 20,000 x 20,000 pixels) are refused, and what is served is a fresh PNG."""
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from matchmaker.extensions import db
from matchmaker.models import Participation, User
from matchmaker.profiles.logos import LogoError, redraw_logo

EMAIL = "supplier1@demo.example"


@pytest.fixture(autouse=True)
def uploads_in_tmp(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, pad: int = 3800) -> bytes:
    """A small PNG whose header claims WIDTH x HEIGHT grey pixels."""
    rows = zlib.compress(b"\x00" * pad, 9)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                               0, 0, 0))
            + _chunk(b"tEXt", b"c\x00" + b"x" * (pad - len(rows) - 60))
            + _chunk(b"IDAT", rows) + _chunk(b"IEND", b""))


HTML_AS_PNG = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"


def image_bytes(fmt: str, size=(40, 20), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 128).save(out, format=fmt)
    return out.getvalue()


def _profile(app):
    with app.app_context():
        part = db.session.scalar(select(Participation).join(User).where(User.email == EMAIL))
        return part.id, part.organisation.name, part.logo, [g.id for g in part.product_groups]


def _upload(client, app, content: bytes, name: str):
    part_id, org, _, groups = _profile(app)
    pairs = [("organisation", org), ("role", "supplier"), ("pitch", "Refurbished chairs"),
             ("phone", "+32 470 12 34 56"), *[("product_groups", str(g)) for g in groups],
             ("logo", FileStorage(stream=io.BytesIO(content), filename=name,
                                  content_type="image/png"))]
    boundary, body = encode_multipart(MultiDict(pairs))
    return client.post("/events/demo/profile/edit", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_the_bomb_is_small_and_claims_400_million_pixels():
    bomb = png_claiming(20_000, 20_000)
    assert 3_000 < len(bomb) < 4_100
    assert struct.unpack(">II", bomb[16:24]) == (20_000, 20_000)


@pytest.mark.parametrize("content, message", [
    (HTML_AS_PNG, b"PNG, JPEG or WebP"),
    (png_claiming(20_000, 20_000), b"more than 16 million pixels"),
    (png_claiming(5_000, 4_000), b"more than 16 million pixels"),
    (image_bytes("PNG")[:60], b"could not be read"),
    (b"GIF89a" + image_bytes("GIF")[6:], b"PNG, JPEG or WebP"),
])
def test_forged_or_oversized_logos_are_refused_and_the_old_logo_kept(
        demo, login_as, content, message):
    client = login_as(EMAIL)
    assert _upload(client, demo, image_bytes("PNG"), "first.png").status_code == 302
    before = _profile(demo)[2]
    response = _upload(client, demo, content, "logo.png")
    assert response.status_code == 400
    assert message in response.data
    assert _profile(demo)[2] == before
    assert sorted(p.name for p in Path(demo.config["UPLOAD_FOLDER"]).iterdir()) == [before]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_real_logo_is_redrawn_and_served_as_png(demo, login_as, fmt):
    client = login_as(EMAIL)
    original = image_bytes(fmt) + b"<script>trailing</script>"
    assert _upload(client, demo, original, f"logo.{fmt.lower()}").status_code == 302
    part_id, _, name, _ = _profile(demo)
    assert name.endswith(".png")
    served = login_as("buyer1@demo.example").get(f"/events/demo/people/{part_id}/logo")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert b"<script>" not in served.data
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.format == "PNG" and image.size == (40, 20)


def test_large_logos_are_scaled_down_to_1024_pixels_a_side():
    with Image.open(io.BytesIO(redraw_logo(image_bytes("PNG", (3000, 1500))))) as image:
        assert image.size == (1024, 512)


def test_redraw_refuses_a_header_over_the_limit_before_decoding_pixels():
    with pytest.raises(LogoError) as error:
        redraw_logo(png_claiming(4001, 4000))
    assert error.value.reason == "pixels"
    redraw_logo(image_bytes("PNG", (4000, 1)))
