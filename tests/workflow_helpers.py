"""Fixtures and small factories for the tests of the app wired to the editors' workflow."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from app_helpers import git, opportunity

from submit_app import create_app, workflow

SECRET = "test"
EDITORS = "relecture@mairie.example"


def free_port() -> int:
    """A TCP port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, timeout: float = 30, step: float = 0.05):
    """Poll `check()` until it returns something true; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"toujours faux après {timeout} s : {check}")


def remote_heads(bare: Path) -> dict[str, str]:
    """Branch name → commit on a bare repository."""
    out = git(bare, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
    return dict(line.split() for line in out.splitlines())


def submit(client, **overrides) -> str:
    """Post a valid opportunity; return its reference."""
    response = client.post("/proposer/opportunite", data=opportunity(**overrides))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1]


@pytest.fixture
def make_app(tmp_path):
    """Factory of apps (CSRF off) whose background threads are stopped at teardown."""
    made = []

    def factory(repo_path: Path, **config):
        settings = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": SECRET,
                    "SUBMIT_REPO": str(repo_path), "SUBMIT_DATA_DIR": str(tmp_path / "data"),
                    **config}
        app = create_app(settings)
        made.append(app)
        return app

    yield factory
    for app in made:
        workflow.get(app).close(timeout=30)


class Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"

    def to(self, address: str) -> list:
        """Messages sent to `address`."""
        return [message for rcpt, message in self.messages if address in rcpt]


@pytest.fixture
def smtp():
    """A real local SMTP server; yields (app settings, inbox)."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "EDITORS_EMAIL": EDITORS,
           "SMTP_FROM": "annonces@pas-de-porte.example"}, inbox
    controller.stop()
