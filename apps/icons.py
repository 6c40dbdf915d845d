"""App icons: decode an upload safely and re-encode it as a square PNG without metadata."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_ICON_BYTES = 700 * 1024
# A few kilobytes of PNG can declare a huge canvas; decoding 9400x9400 RGBA takes ~800 MB.
# The size comes from the header, so it is checked before any pixel is decoded.
MAX_ICON_DIMENSION = 4096
ICON_SIZE = 400
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "GIF"})


def normalize_icon(upload) -> ContentFile:
    """Return the upload as a 400x400 PNG, or refuse it with a message for the icon field."""
    if upload.size > MAX_ICON_BYTES:
        raise ValidationError("The icon must be at most 700 KB.", code="icon_too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as image:  # reads the header only
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError("Upload a PNG, JPEG or GIF image.", code="icon_format")
            width, height = image.size
            if width > MAX_ICON_DIMENSION or height > MAX_ICON_DIMENSION:
                raise ValidationError(
                    f"The image is {width}x{height} pixels; use at most "
                    f"{MAX_ICON_DIMENSION}x{MAX_ICON_DIMENSION} pixels.",
                    code="icon_dimensions",
                )
            image.load()
            frame = ImageOps.exif_transpose(image).convert("RGBA")
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise ValidationError("The image is too large to decode.", code="icon_bomb") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            "The file is not a readable PNG, JPEG or GIF image.", code="icon_unreadable"
        ) from error
    square = ImageOps.fit(frame, (ICON_SIZE, ICON_SIZE), method=Image.Resampling.LANCZOS)
    output = io.BytesIO()
    # A fresh image carries no EXIF, text chunks or ICC profile from the upload.
    Image.frombytes("RGBA", square.size, square.tobytes()).save(output, format="PNG")
    return ContentFile(output.getvalue(), name="icon.png")
