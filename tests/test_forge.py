"""Forge adapters against a local HTTP server that checks every request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import git as gitpython
import pytest
from review_helpers import git, make_repo, submit

from pasdeporte import forge, remote


class FakeForge:
    """A local server answering one expected request; records what it received."""

    def __init__(self, status: int = 201, answer: dict | None = None):
        self.status, self.answer, self.requests = status, answer or {}, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's API)
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append({"method": "POST", "path": self.path,
                                       "headers": dict(self.headers),
                                       "json": json.loads(self.rfile.read(length))})
                body = json.dumps(outer.answer).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeForge(answer={"html_url": "https://forge/pr/1", "web_url": "https://forge/mr/1"})
    yield server
    server.close()


CASES = {
    "github": ("/api/repos/mairies/annonces/pulls", "Authorization", "Bearer s3cret",
               {"title": "T", "head": "proposition/abc", "base": "main", "body": "B",
                "maintainer_can_modify": True}, "https://forge/pr/1"),
    "gitlab": ("/api/projects/mairies%2Fannonces/merge_requests", "Private-Token", "s3cret",
               {"source_branch": "proposition/abc", "target_branch": "main", "title": "T",
                "description": "B", "remove_source_branch": True}, "https://forge/mr/1"),
    "gitea": ("/api/repos/mairies/annonces/pulls", "Authorization", "token s3cret",
              {"title": "T", "head": "proposition/abc", "base": "main", "body": "B"},
              "https://forge/pr/1"),
    "forgejo": ("/api/repos/mairies/annonces/pulls", "Authorization", "token s3cret",
                {"title": "T", "head": "proposition/abc", "base": "main", "body": "B"},
                "https://forge/pr/1"),
}


def env_for(kind: str, url: str) -> dict[str, str]:
    return {"FORGE": kind, "FORGE_API_URL": url, "FORGE_REPOSITORY": "mairies/annonces",
            "FORGE_TOKEN": "s3cret", "SUBMIT_BASE_BRANCH": "main"}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_merge_request_request_is_exact(fake, kind):
    path, header, value, payload, url = CASES[kind]
    adapter = forge.from_env(env_for(kind, fake.url))
    assert adapter.open_merge_request("proposition/abc", "T", "B") == url
    [request] = fake.requests
    assert request["method"] == "POST" and request["path"] == path
    assert request["headers"][header] == value
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"] == payload


@pytest.mark.parametrize("status, body, error", [
    (401, {"message": "Bad credentials"}, "HTTP 401"),
    (404, {"message": "Not Found"}, "HTTP 404"),
    (500, {}, "HTTP 500"),
])
def test_forge_errors_are_reported(status, body, error):
    server = FakeForge(status, body)
    try:
        with pytest.raises(forge.ForgeError, match=error):
            forge.from_env(env_for("github", server.url)).open_merge_request("b", "T", "B")
    finally:
        server.close()


def test_existing_merge_request_counts_as_done():
    server = FakeForge(422, {"message": "Validation Failed",
                             "errors": [{"message": "A pull request already exists"}]})
    try:
        assert forge.from_env(env_for("github", server.url)).open_merge_request("b", "T", "B") == ""
    finally:
        server.close()


def test_unreachable_forge_is_an_error():
    adapter = forge.from_env(env_for("gitea", "http://127.0.0.1:9/api"))
    with pytest.raises(forge.ForgeError, match="injoignable"):
        adapter.open_merge_request("b", "T", "B")


@pytest.mark.parametrize("env, message", [
    ({"FORGE": "bitbucket"}, "FORGE inconnu"),
    ({"FORGE": "gitea", "FORGE_REPOSITORY": "a/b", "FORGE_TOKEN": "t"}, "FORGE_API_URL"),
    ({"FORGE": "github", "FORGE_REPOSITORY": "a/b"}, "FORGE_TOKEN"),
    ({"FORGE": "gitlab", "FORGE_API_URL": "file:///etc", "FORGE_REPOSITORY": "a/b",
      "FORGE_TOKEN": "t"}, None),
])
def test_bad_settings(env, message):
    if message is None:
        with pytest.raises(forge.ForgeError, match="adresse d'API invalide"):
            forge.from_env(env).open_merge_request("b", "T", "B")
    else:
        with pytest.raises(forge.ForgeError, match=message):
            forge.from_env(env)


def test_no_forge_configured():
    assert forge.from_env({}) is None


def test_push_queue_opens_a_merge_request_with_the_listing_summary(tmp_path, fake):
    source = make_repo(tmp_path / "source")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(tmp_path / "app"))
    submit(tmp_path / "app", "abc0000001")
    queue = remote.PushQueue(tmp_path / "data")
    queue.enqueue("proposition/abc0000001")
    adapter = forge.from_env(env_for("gitlab", fake.url))
    report = queue.push_pending(gitpython.Repo(tmp_path / "app"), str(origin), adapter)
    assert report.merge_requests == {"proposition/abc0000001": "https://forge/mr/1"}
    [request] = fake.requests
    assert request["json"]["title"].startswith("abc0000001 : Pornic recherche une boulangerie")
    assert "Pornic, 44 (44131)" in request["json"]["description"]
    assert queue.entries() == []
