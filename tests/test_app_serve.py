"""`python -m submit_app.serve` (behind ./scripts/run) republishes the site when content changes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import waitress
from app_helpers import ROOT, make_repo
from markupsafe import escape
from workflow_helpers import free_port

from submit_app import serve

SAMPLE = ROOT / "content"


def small_content(folder: Path, listings: int = 4) -> Path:
    """A few sample opportunities, one project and the pages, copied into `folder`."""
    (folder / "opportunites").mkdir(parents=True)
    for source in sorted((SAMPLE / "opportunites").glob("*.md"))[:listings]:
        shutil.copy(source, folder / "opportunites" / source.name)
    shutil.copytree(SAMPLE / "projets", folder / "projets",
                    ignore=lambda _, names: sorted(names)[1:])
    shutil.copytree(SAMPLE / "pages", folder / "pages")
    return folder


def fetch(url: str) -> tuple[int, str]:
    """Status and text of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local server)
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:  # not listening yet
        return 0, ""


def test_serve_republishes_an_added_listing_within_seconds(tmp_path):
    content, site = small_content(tmp_path / "content"), tmp_path / "site"
    env = {**os.environ, "PASDEPORTE_BUILD_CACHE": str(tmp_path / "cache"),
           "SUBMIT_REPO": str(make_repo(tmp_path / "repo")),
           "SUBMIT_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test"}
    build = [sys.executable, "-m", "pasdeporte.cli", "build", "--content", str(content),
             "--output", str(site)]
    subprocess.run(build, cwd=ROOT, env=env, check=True, capture_output=True)
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "submit_app.serve", "--port", str(port), "--site", str(site),
             "--content", str(content)], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while fetch(base + "/")[0] != 200:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        new = sorted((SAMPLE / "opportunites").glob("*.md"))[-1]
        url = f"{base}/opportunites/{new.stem}/"
        assert fetch(url)[0] == 404
        title = new.read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("Title: ")
        shutil.copy(new, content / "opportunites" / new.name)
        added = time.monotonic()
        # Its page, and the list page linking to it (written in the same build, maybe after).
        while (page := fetch(url))[0] != 200 or new.stem not in fetch(f"{base}/opportunites/")[1]:
            # Quiet interval (1 s) + incremental build; generous for a loaded 2-core machine.
            assert time.monotonic() - added < 45, log.read_text()
            time.sleep(0.2)
        print(f"annonce servie {time.monotonic() - added:.1f} s après l'ajout")
        assert str(escape(title)) in page[1]
        assert "Republication automatique" in log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.parametrize(("flags", "watched"), [([], True), (["--no-watch"], False)])
def test_watcher_starts_unless_no_watch(monkeypatch, tmp_path, flags, watched):
    calls = []
    monkeypatch.setenv("SUBMIT_REPO", str(make_repo(tmp_path / "repo")))
    monkeypatch.setenv("SUBMIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(waitress, "serve", lambda app, **options: calls.append("serve"))
    monkeypatch.setattr(serve, "watch_content", lambda *args: calls.append(args))
    (tmp_path / "content").mkdir()
    serve.main(["--site", str(tmp_path / "site"), "--content", str(tmp_path / "content"),
                *flags])
    expected = [(tmp_path / "content", tmp_path / "site")] if watched else []
    assert calls == [*expected, "serve"]
