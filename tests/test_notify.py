"""Emails through a real local SMTP server (aiosmtpd), from the library and from scripts/review."""

from __future__ import annotations

import email
import email.policy
import socket
import sqlite3

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from review_helpers import make_repo, submit

from pasdeporte import notify, review_cli, tracking, updates


class Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed, session.authenticated))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"ed" \
        and auth_data.password == b"mot-de-passe"
    return AuthResult(success=ok)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A local SMTP server accepting LOGIN without TLS; yields (settings, inbox)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    config = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_USER": "ed",
              "SMTP_PASSWORD": "mot-de-passe", "SMTP_FROM": "annonces@pas-de-porte.example",
              "EDITORS_EMAIL": "relecture@mairie.example, second@mairie.example"}
    yield config, inbox
    controller.stop()


def test_editors_get_each_new_submission(smtp):
    config, inbox = smtp
    meta = {"Title": "Pornic cherche un boulanger", "Kind": "commerce-recherche",
            "Commune": "44131"}
    assert notify.new_submission(config, meta, "abc0000001", "https://ex.fr/suivi/abc0000001")
    [(to, message, authenticated)] = inbox.messages
    assert to == ["relecture@mairie.example", "second@mairie.example"] and authenticated
    assert message["Subject"] == "Nouvelle annonce à relire : Pornic cherche un boulanger"
    assert message["From"] == "annonces@pas-de-porte.example"
    body = message.get_content()
    assert "Pornic (44)" in body and "scripts/review show abc0000001" in body
    assert "https://ex.fr/suivi/abc0000001" in body


def test_confirmation_carries_tracking_and_private_update_links(smtp):
    config, inbox = smtp
    link = updates.update_url("https://ex.fr", "secret", "abc0000001")
    assert notify.confirmation(config, "auteur@example.org", "abc0000001", "Mon projet",
                               "https://ex.fr/suivi/abc0000001", link)
    [(to, message, _)] = inbox.messages
    assert to == ["auteur@example.org"]
    body = message.get_content()
    assert "https://ex.fr/suivi/abc0000001" in body and link in body


@pytest.mark.parametrize("status, subject, text", [
    (tracking.PUBLISHED, "Votre annonce abc0000001 est publiée", "a été relue et publiée"),
    (tracking.REJECTED, "Votre annonce abc0000001 n'a pas été publiée", "Photos floues."),
])
def test_decision_is_sent_to_the_submitter(smtp, status, subject, text):
    config, inbox = smtp
    assert notify.decision(config, "auteur@example.org", "abc0000001", status,
                           "https://ex.fr/suivi/abc0000001", "Photos floues.")
    [(to, message, _)] = inbox.messages
    assert to == ["auteur@example.org"] and message["Subject"] == subject
    assert text in message.get_content()


def test_header_injection_is_neutralised(smtp):
    config, inbox = smtp
    meta = {"Title": "Titre\r\nBcc: victime@example.org", "Kind": "projet",
            "Territories": "dep-85"}
    notify.new_submission(config, meta, "abc0000001")
    [(to, message, _)] = inbox.messages
    assert "victime@example.org" not in to and message["Bcc"] is None


def test_nothing_is_sent_without_smtp_host(monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    assert notify.new_submission({}, {"Title": "x"}, "abc0000001") is False
    assert notify.settings({}) is None


def test_wrong_password_raises(smtp, monkeypatch):
    config, _ = smtp
    # aiosmtpd leaves smtplib's LOGIN fallback waiting after a failed PLAIN: don't wait 20 s.
    monkeypatch.setattr(notify, "TIMEOUT", 2)
    with pytest.raises(OSError):
        notify.decision({**config, "SMTP_PASSWORD": "faux"}, "a@example.org", "abc0000001",
                        tracking.PUBLISHED, "u")


def test_unreachable_server_raises():
    with pytest.raises(OSError):
        notify.decision({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port())}, "a@example.org",
                        "abc0000001", tracking.PUBLISHED, "u")


def test_review_decisions_email_the_submitter(smtp, tmp_path, monkeypatch, capsys):
    config, inbox = smtp
    for key, value in config.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SUBMIT_PUBLIC_URL", "https://annonces.example")
    monkeypatch.delenv("SUBMIT_REMOTE", raising=False)
    repo = make_repo(tmp_path / "depot")
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "submissions.sqlite3")
    db.execute("CREATE TABLE submissions (reference TEXT PRIMARY KEY, submitter_email TEXT)")
    db.executemany("INSERT INTO submissions VALUES (?, ?)",
                   [("abc0000001", "oui@example.org"), ("bad0000001", "non@example.org")])
    db.commit()
    db.close()
    submit(repo, "abc0000001")
    submit(repo, "bad0000001")
    args = ["--repo", str(repo), "--data-dir", str(data)]
    assert review_cli.main(["approve", "abc0000001", *args]) == 0
    assert review_cli.main(["reject", "bad0000001", "--reason", "Hors sujet.", *args]) == 0
    sent = {tuple(to): message for to, message, _ in inbox.messages}
    assert "https://annonces.example/suivi/abc0000001" in sent[("oui@example.org",)].get_content()
    assert "Hors sujet." in sent[("non@example.org",)].get_content()
