"""./scripts/run builds the sample and serves a page per listing on one port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from markupsafe import escape

from pasdeporte import validate

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    """Status and body of a GET request."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local server)
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`./scripts/run` on a free port, until the module's tests are done."""
    port = free_port()
    log = tmp_path_factory.mktemp("run") / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT, env={**os.environ, "PORT": str(port)},
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scripts/run s'est arrêté :\n{log.read_text()}")
        try:
            get(base + "/")
            break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail(f"scripts/run ne répond pas :\n{log.read_text()}")
    yield base
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_home_page(served):
    status, html = get(served + "/")
    assert status == 200
    assert '<html lang="fr"' in html


def test_every_sample_listing_has_its_page(served):
    files = validate.listing_files(ROOT / "content")
    assert len(files) >= 55
    for path in files:
        status, html = get(f"{served}/{path.parent.name}/{path.stem}/")
        title = path.read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("Title: ")
        assert status == 200
        assert str(escape(title)) in html


def test_form_app_is_on_the_same_port(served):
    status, html = get(served + "/proposer/opportunite")
    assert status == 200
    assert "<form" in html


def test_unknown_page_is_404(served):
    with pytest.raises(urllib.error.HTTPError) as error:
        get(served + "/nulle-part/")
    assert error.value.code == 404
