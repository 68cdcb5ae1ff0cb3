"""Photos: verified and re-encoded with Pillow (EXIF and other metadata dropped, web size)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from pasdeporte import schema

MAX_FILES = schema.MAX_IMAGES
MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
# Refuse decompression bombs outright: 40 megapixels is more than any phone photo.
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}


class ImageError(ValueError):
    """A file that is not an acceptable photo (French message)."""


def reencode(data: bytes, name: str = "") -> bytes:
    """Verify an uploaded photo and return it as a fresh, EXIF-free JPEG of at most 1600 px."""
    label = f"« {name} »" if name else "la photo"
    if len(data) > MAX_BYTES:
        raise ImageError(f"{label} dépasse 5 Mo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise ImageError(f"{label} n'est pas une photo JPEG, PNG ou WebP")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ImageError(f"{label} est trop grande ({probe.width} × {probe.height})")
                probe.verify()
            # verify() leaves the image unusable: open it again to decode the pixels.
            with Image.open(io.BytesIO(data)) as image:
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                if image.mode != "RGB":
                    background = Image.new("RGB", image.size, "white")
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                out = io.BytesIO()
                # A new image without exif/icc/xmp arguments: no metadata is carried over.
                image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    except ImageError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:
        raise ImageError(f"{label} est illisible ou n'est pas une image") from error
    return out.getvalue()


def paths(reference: str, count: int) -> list[str]:
    """The `Images` metadata paths of a listing's photos: images/<reference>/1.jpg …"""
    return [f"images/{reference}/{number}.jpg" for number in range(1, count + 1)]

