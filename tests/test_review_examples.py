"""The production examples agree with the code: app paths, WSGI entry, CI path rules."""

from __future__ import annotations

import re
import runpy
import subprocess

import pytest
from review_helpers import ROOT

from pasdeporte import review, tracking

EXAMPLES = ROOT / "docs" / "examples"
APP_PATHS = ("/proposer", "/suivi", "/api/", "/app-static/")


@pytest.mark.parametrize("name", ["nginx.conf", "Caddyfile"])
def test_proxies_route_every_app_path(name):
    text = (EXAMPLES / name).read_text()
    for path in APP_PATHS:
        bare = path.strip("/")
        assert re.search(rf"[/(|]{re.escape(bare)}[/($|)* ]", text), f"{path} absent de {name}"


def test_gunicorn_config_points_at_the_app_factory():
    settings = runpy.run_path(str(EXAMPLES / "gunicorn.conf.py"))
    module, _, call = settings["wsgi_app"].partition(":")
    assert module == "submit_app" and call == "create_app()"
    from submit_app import create_app

    assert callable(create_app)
    assert settings["bind"].startswith("127.0.0.1:")


def ci_pattern(name: str) -> str:
    text = (EXAMPLES / "content-ci" / name).read_text()
    return re.search(r"grep -vE '([^']+)'", text).group(1)


@pytest.mark.parametrize("name", ["github-workflow.yml", "gitlab-ci.yml"])
@pytest.mark.parametrize("path", [
    "content/opportunites/pornic-boulangerie.md", "content/projets/boulanger.md",
    "content/images/abc0000001/devanture.jpg", "theme/templates/base.html", "pelicanconf.py",
    "content/opportunites/sous/dossier.md", "content/images/abc0000001/x.svg",
    "scripts/build", ".github/workflows/contenu.yml",
])
def test_ci_path_rule_matches_scripts_review(name, path):
    allowed_by_ci = subprocess.run(["grep", "-qE", ci_pattern(name)], input=path.encode()
                                   ).returncode == 0
    allowed_here = bool(tracking.LISTING_PATH_RE.match(path) or review.IMAGE_RE.match(path))
    assert allowed_by_ci == allowed_here


@pytest.mark.parametrize("name, words", [
    ("github-workflow.yml", ["./scripts/validate", "./scripts/build", "pull_request",
                             "branches: [main]"]),
    ("gitlab-ci.yml", ["./scripts/validate", "./scripts/build", "merge_request_event",
                       "CI_DEFAULT_BRANCH"]),
])
def test_ci_validates_requests_and_publishes_main(name, words):
    text = (EXAMPLES / "content-ci" / name).read_text()
    assert all(word in text for word in words)
    assert "\t" not in text  # YAML forbids tabs for indentation
