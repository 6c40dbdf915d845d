"""App icons: PNG, JPEG or GIF up to 700 KB, re-encoded as a 400x400 PNG without metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from apps.icons import normalize_icon
from apps.models import App
from apps.services import update_app_details
from tests.actors import act

pytestmark = pytest.mark.django_db


def image_upload(fmt="PNG", size=(120, 80), name="icon.png", **save_options) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt, **save_options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_png_jpeg_and_gif_become_a_400_pixel_square_png(fmt):
    icon = normalize_icon(image_upload(fmt, size=(300, 120)))
    with Image.open(io.BytesIO(icon.read())) as result:
        assert result.format == "PNG"
        assert result.size == (400, 400)


def test_metadata_is_stripped():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "secret location 51.5N")
    icon = normalize_icon(image_upload("PNG", pnginfo=text))
    assert b"secret location" not in icon.read()


def test_other_image_formats_are_refused():
    with pytest.raises(ValidationError) as caught:
        normalize_icon(image_upload("BMP", name="icon.bmp"))
    assert caught.value.messages == ["Upload a PNG, JPEG or GIF image."]


def test_a_file_that_is_not_an_image_is_refused():
    upload = SimpleUploadedFile("icon.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        normalize_icon(upload)
    assert "not a readable PNG, JPEG or GIF" in caught.value.messages[0]


def test_a_truncated_image_is_refused():
    data = image_upload("PNG", size=(300, 300)).read()
    upload = SimpleUploadedFile("icon.png", data[: len(data) // 2], content_type="image/png")
    with pytest.raises(ValidationError):
        normalize_icon(upload)


def test_an_icon_over_700_kb_is_refused():
    upload = SimpleUploadedFile(
        "icon.png", b"\x89PNG" + b"0" * (700 * 1024), content_type="image/png"
    )
    with pytest.raises(ValidationError) as caught:
        normalize_icon(upload)
    assert caught.value.messages == ["The icon must be at most 700 KB."]


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(ValidationError) as caught:
        normalize_icon(image_upload("PNG", size=(150, 150)))
    assert caught.value.messages == ["The image is too large to decode."]


def test_saved_icon_has_a_random_name_and_replaces_the_old_file(app):
    update_app_details(app=app, actor=act(app.owner), icon=normalize_icon(image_upload()))
    first = App.objects.get(pk=app.pk).icon.name
    assert first.startswith("app-icons/") and first.endswith(".png") and len(first) == 46
    storage = app.icon.storage
    assert storage.exists(first)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        update_app_details(app=app, actor=act(app.owner), icon=normalize_icon(image_upload()))
    second = App.objects.get(pk=app.pk).icon.name
    assert second != first
    assert storage.exists(second)
    assert not storage.exists(first)


def test_icon_is_served_as_png(app, client):
    update_app_details(app=app, actor=act(app.owner), icon=normalize_icon(image_upload()))
    response = client.get(App.objects.get(pk=app.pk).icon.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_unknown_icon_answers_404(client):
    assert client.get("/media/app-icons/" + "0" * 32 + ".png").status_code == 404


def png_header_only(width: int, height: int) -> bytes:
    """A small PNG that declares a `width` x `height` canvas: what an icon bomb looks like
    before decoding (its pixel data is a few rows of zeros, compressed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (1 + 3 * width) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_an_icon_larger_than_4096_pixels_is_refused_before_decoding(monkeypatch):
    data = png_header_only(9400, 9400)
    assert len(data) < 700 * 1024

    def never_decode(self, *args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", never_decode)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", never_decode)
    upload = SimpleUploadedFile("icon.png", data, content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        normalize_icon(upload)
    assert caught.value.messages == ["The image is 9400x9400 pixels; use at most 4096x4096 pixels."]


@pytest.mark.parametrize("size", [(4097, 1), (1, 4097)])
def test_an_icon_wider_or_taller_than_4096_pixels_is_refused(size):
    with pytest.raises(ValidationError) as caught:
        normalize_icon(image_upload("PNG", size=size))
    assert "use at most 4096x4096 pixels" in caught.value.messages[0]


def test_an_icon_of_4096_pixels_on_its_longest_side_is_accepted():
    icon = normalize_icon(image_upload("PNG", size=(4096, 2)))
    with Image.open(io.BytesIO(icon.read())) as result:
        assert result.size == (400, 400)


def test_checking_an_icon_leaves_the_process_warning_filters_alone():
    """Warning filters are process-wide: changing them per request races other threads."""
    import warnings
    from unittest import mock

    with (
        mock.patch.object(warnings, "simplefilter") as simplefilter,
        mock.patch.object(warnings, "filterwarnings") as filterwarnings,
        mock.patch.object(warnings, "catch_warnings") as catch_warnings,
    ):
        icon = normalize_icon(image_upload("PNG", size=(300, 120)))
    assert not (simplefilter.called or filterwarnings.called or catch_warnings.called)
    assert icon.read().startswith(b"\x89PNG")
