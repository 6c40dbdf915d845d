"""App icons: decode an upload safely and re-encode it as a square PNG without metadata."""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_ICON_BYTES = 700 * 1024
ICON_SIZE = 400
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "GIF"})


def normalize_icon(upload) -> ContentFile:
    """Return the upload as a 400x400 PNG, or refuse it with a message for the icon field."""
    if upload.size > MAX_ICON_BYTES:
        raise ValidationError("The icon must be at most 700 KB.", code="icon_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError("Upload a PNG, JPEG or GIF image.", code="icon_format")
                image.load()
                frame = ImageOps.exif_transpose(image).convert("RGBA")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
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
