"""Photos already accepted survive a preview or an error, and only their holder can see them."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from app_helpers import added_files, app, branches, client, git, jpeg, opportunity, repo  # noqa: F401
from PIL import Image

from pasdeporte import metadata
from submit_app import held

TOKEN_RE = re.compile(r'name="photos_token" value="([0-9a-f]{32})"')
THUMB_RE = re.compile(r'src="(/proposer/photo/[0-9a-f]{32}/([0-9]{20}-[0-9a-f]{8})\.jpg)"')


def post(client, files=(), **overrides):
    """Post the opportunity form with photos (colour, size) as multipart."""
    uploads = [(io.BytesIO(jpeg(400 + 10 * n, 300, exif=True)), f"photo{n}.jpg") for n in files]
    data = {**opportunity(**overrides), "images": uploads}
    return client.post("/proposer/opportunite", data=data, content_type="multipart/form-data")


def shown(response) -> tuple[str | None, list[tuple[str, str]]]:
    """The photos token and the (thumbnail URL, photo id) pairs a page shows."""
    html = response.get_data(as_text=True)
    token = TOKEN_RE.search(html)
    return token[1] if token else None, THUMB_RE.findall(html)


def widths(repo: Path, branch: str) -> list[int]:
    """Widths of the photos a branch commits, in the order of its `Images` metadata."""
    (path,) = [p for _, p in added_files(repo, branch) if p.endswith(".md")]
    meta = metadata.loads(git(repo, "show", f"{branch}:{path}")).meta
    out = []
    for image in meta["Images"].split(";"):
        data = git_bytes(repo, f"{branch}:content/{image}")
        with Image.open(io.BytesIO(data)) as opened:
            out.append(opened.width)
    return out


def git_bytes(repo: Path, spec: str) -> bytes:
    import subprocess

    return subprocess.run(["git", "show", spec], cwd=repo, capture_output=True, check=True).stdout


def holding(app) -> Path:
    return Path(app.config["SUBMIT_DATA_DIR"]) / held.FOLDER


def test_preview_keeps_photos_then_submit_commits_them(client, repo, app):
    response = post(client, files=(0, 1), submit=None, preview="1")
    token, thumbs = shown(response)
    assert response.status_code == 200 and 'id="apercu"' in response.get_data(as_text=True)
    assert token and len(thumbs) == 2 and branches(repo) == []
    thumb = client.get(thumbs[0][0])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert "no-store" in thumb.headers["Cache-Control"]
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert max(image.size) <= held.THUMB_SIDE and not image.getexif()
    assert b"SecretCam" not in thumb.data
    # The form is sent again without choosing the files: they are still in the listing.
    response = post(client, photos_token=token)
    assert response.status_code == 303
    [branch] = branches(repo)
    assert widths(repo, branch) == [400, 410]
    assert not (holding(app) / token).exists()  # cleaned up once committed
    assert client.get(thumbs[0][0]).status_code == 404


def test_error_keeps_photos_and_new_ones_are_added_after(client, repo):
    token, thumbs = shown(post(client, files=(0,), title=""))
    assert token and len(thumbs) == 1 and branches(repo) == []
    token2, thumbs2 = shown(post(client, files=(2,), photos_token=token, body=""))
    assert token2 == token and [t[1] for t in thumbs2][:1] == [thumbs[0][1]]
    assert len(thumbs2) == 2
    assert post(client, photos_token=token).status_code == 303
    assert widths(repo, branches(repo)[0]) == [400, 420]


def test_removed_photo_is_not_committed(client, repo):
    token, thumbs = shown(post(client, files=(0, 1, 2), submit=None, preview="1"))
    response = client.post("/proposer/opportunite", data={
        **opportunity(), "photos_token": token, "photos_remove": [thumbs[1][1]]})
    assert response.status_code == 303
    assert widths(repo, branches(repo)[0]) == [400, 420]


def test_at_most_four_photos_in_all(client, repo):
    token, _ = shown(post(client, files=(0, 1, 2), title=""))
    response = post(client, files=(3, 4), photos_token=token)
    token2, thumbs = shown(response)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="images-erreur"' in html
    assert "4 photos au plus : 1 photo en trop n&#39;a pas été gardée." in html
    assert token2 == token and len(thumbs) == 4 and branches(repo) == []
    assert "Pour en changer, retirez-en d'abord." in html


def test_bad_file_is_refused_good_ones_kept(client, repo):
    uploads = [(io.BytesIO(b"not a photo"), "x.jpg"), (io.BytesIO(jpeg(500, 300)), "ok.jpg")]
    response = client.post("/proposer/opportunite", content_type="multipart/form-data",
                           data={**opportunity(), "images": uploads})
    token, thumbs = shown(response)
    assert 'id="images-erreur"' in response.get_data(as_text=True)
    assert token and len(thumbs) == 1 and branches(repo) == []


@pytest.mark.parametrize("path", [
    "/proposer/photo/{token}/../../secret_key",
    "/proposer/photo/{token}/..%2F..%2Fsecret_key.jpg",
    "/proposer/photo/..%2F{token}/{name}.jpg",
    "/proposer/photo/{upper}/{name}.jpg",
    "/proposer/photo/{other}/{name}.jpg",
    "/proposer/photo/{token}/{name}.thumb.jpg",
    "/proposer/photo/{token}/{name}",
    "/proposer/photo/{token}/..jpg",
    "/proposer/photo/{token}/secret_key.jpg",
    "/proposer/photo/{short}/{name}.jpg",
])
def test_thumbnails_only_for_their_token_and_only_inside(client, app, path):
    token, thumbs = shown(post(client, files=(0,), title=""))
    name = thumbs[0][1]
    data_dir = Path(app.config["SUBMIT_DATA_DIR"])
    (data_dir / "secret_key.jpg").write_bytes(b"secret")
    (holding(app) / token / "secret_key.jpg").write_bytes(b"secret")
    other = "0" * 32
    (holding(app) / other).mkdir()
    url = path.format(token=token, name=name, upper=token.upper(), other=other,
                      short=token[:31])
    response = client.get(url)
    assert response.status_code in (404, 308) and b"secret" not in response.data
    assert client.get(thumbs[0][0]).status_code == 200  # the right URL does work


@pytest.mark.parametrize("token", ["../..", "..", "/etc", "0" * 32, "g" * 32, "A" * 32, "",
                                   "x" * 500])
def test_forged_token_holds_nothing_and_touches_nothing(client, repo, app, token):
    own, thumbs = shown(post(client, files=(0,), title=""))
    before = sorted(os.listdir(holding(app) / own))
    sentinel = Path(app.config["SUBMIT_DATA_DIR"]) / "secret_key"
    sentinel.write_text("x")
    response = client.post("/proposer/opportunite", data={
        **opportunity(), "photos_token": token,
        "photos_remove": [thumbs[0][1], "../secret_key", f"../{own}/{thumbs[0][1]}"]})
    assert response.status_code == 303
    branch = branches(repo)[0]
    assert [p for _, p in added_files(repo, branch) if "images" in p] == []
    assert sorted(os.listdir(holding(app) / own)) == before
    assert sentinel.read_text() == "x"


def test_photos_expire_after_a_day(client, app):
    token, thumbs = shown(post(client, files=(0,), title=""))
    folder = holding(app) / token
    old = time.time() - held.MAX_AGE - 60
    os.utime(folder, (old, old))
    assert client.get(thumbs[0][0]).status_code == 404
    _, again = shown(post(client, photos_token=token, title=""))
    assert again == []  # expired: nothing shown, nothing committed later
    with app.test_request_context():
        assert held.sweep() == 1
    assert not folder.exists()


def test_tokens_are_random_128_bits(client):
    tokens = {shown(post(client, files=(0,), title=""))[0] for _ in range(5)}
    assert len(tokens) == 5 and all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens)


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations of the page as it is."""
    from test_app_browser import AXE

    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "axe.run(document).then(r => r.violations.filter(v => ['serious', 'critical']"
        ".includes(v.impact)).map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))")


@pytest.mark.browser
def test_photos_kept_in_chromium(browser, repo, tmp_path, sample_site):
    from playwright.sync_api import expect
    from test_app_browser import SHOTS, fill_required

    from bench.app import serve_in_thread
    from submit_app import create_app
    from submit_app.serve import Dispatcher, site_app

    files = []
    for n in range(2):
        files.append(tmp_path / f"photo{n}.jpg")
        files[-1].write_bytes(jpeg(600 + 100 * n, 400))
    app = create_app({"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(tmp_path / "data")})

    def preview(page, base):
        page.goto(f"{base}/proposer/opportunite")
        fill_required(page, "Pornic")
        page.fill("#sector", "boulangerie")
        page.set_input_files("#images", [str(f) for f in files])
        page.click("button[name=preview]")
        expect(page.locator("#apercu")).to_be_focused()
        expect(page.locator(".held img")).to_have_count(2)

    with serve_in_thread(Dispatcher(app, site_app(sample_site)), threads=4) as (host, port):
        base, problems = f"http://{host}:{port}", []
        checked = browser.new_context(bypass_csp=True)  # to inject axe-core only
        page = checked.new_page()
        preview(page, base)
        violations = axe_violations(page)
        checked.close()
        context = browser.new_context()  # the real CSP from here on
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        preview(page, base)
        loaded = page.eval_on_selector_all(".held img", "is => is.map(i => i.naturalWidth)")
        assert loaded and all(width > 0 for width in loaded)
        page.locator("#photos-gardees").scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "photos-gardees.png"))
        page.check(".held li:first-child input[type=checkbox]")
        page.focus("button[name=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/suivi/[0-9a-z]{10}$"))
        context.close()
    assert violations == [] and problems == []
    # The first photo was ticked "Retirer": only the second one is in the listing.
    assert widths(repo, branches(repo)[0]) == [700]
