"""Photos: verified, re-encoded without EXIF, resized, committed with the listing."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import io
import subprocess

import pytest
from app_helpers import (  # noqa: F401 (fixtures)
    added_files,
    app,
    branches,
    client,
    jpeg,
    opportunity,
    repo,
)
from PIL import Image

from pasdeporte import metadata
from submit_app import images


def png(width=300, height=200, mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 200, 30, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def test_reencode_strips_exif_and_resizes():
    source = jpeg(2400, 1800)
    assert b"SecretCam" in source
    out = images.reencode(source)
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600 and image.size[1] == 1200
        assert not image.getexif() and "icc_profile" not in image.info
    assert b"SecretCam" not in out and b"Exif" not in out


def test_reencode_flattens_transparency():
    with Image.open(io.BytesIO(images.reencode(png()))) as image:
        assert image.mode == "RGB" and image.size == (300, 200)


@pytest.mark.parametrize("data", [
    b"not an image at all",
    b"GIF89a" + b"\0" * 100,
    jpeg(100, 100)[:200],  # truncated
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
])
def test_reencode_refuses_non_photos(data):
    with pytest.raises(images.ImageError):
        images.reencode(data)


def test_reencode_refuses_huge_pixel_counts():
    with pytest.raises(images.ImageError, match="trop grande"):
        images.reencode(png(9000, 6000, mode="L"))


def test_reencode_refuses_files_over_5_mb():
    with pytest.raises(images.ImageError, match="5 Mo"):
        images.reencode(b"\xff\xd8" + b"0" * (5 * 1024 * 1024))


def test_submission_commits_clean_photos_with_listing(client, repo):
    photos = [(io.BytesIO(jpeg()), "maison.jpg"), (io.BytesIO(png()), "plan.png")]
    response = client.post("/proposer/opportunite", data={**opportunity(), "images": photos},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    reference = response.headers["Location"].rsplit("/", 1)[1]
    branch = f"proposition/{reference}"
    changes = sorted(path for _, path in added_files(repo, branch))
    assert changes[:2] == [f"content/images/{reference}/1.jpg", f"content/images/{reference}/2.jpg"]
    assert len(changes) == 3 and changes[2].startswith("content/opportunites/")
    meta = metadata.loads(subprocess.run(["git", "show", f"{branch}:{changes[2]}"], cwd=repo,
                                         capture_output=True, text=True).stdout).meta
    assert meta["Images"] == f"images/{reference}/1.jpg;images/{reference}/2.jpg"
    stored = subprocess.run(["git", "show", f"{branch}:{changes[0]}"], cwd=repo,
                            capture_output=True).stdout
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) <= 1600 and not image.getexif()


@pytest.mark.parametrize("files", [
    [(b"plain text", "notes.jpg")],
    [(jpeg(50, 50, exif=False), f"p{n}.jpg") for n in range(5)],
])
def test_bad_photos_are_reported_and_nothing_is_written(client, repo, files):
    uploads = [(io.BytesIO(data), name) for data, name in files]
    response = client.post("/proposer/opportunite", data={**opportunity(), "images": uploads},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="images-erreur"' in html
    assert 'value="Pornic recherche son boulanger"' in html
    assert branches(repo) == []
