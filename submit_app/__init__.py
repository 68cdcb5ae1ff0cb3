"""Pas-de-porte submission app: guided forms that open review branches in git."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from pasdeporte.site.identity import SITENAME, SITESUBTITLE

ROOT = Path(__file__).resolve().parent.parent
# Settings read from the environment (contract "Form app"), then overridden by test_config.
# SMTP_*, EDITORS_EMAIL and FORGE* are read from the environment too, or from the mapping.
ENV_SETTINGS = ("SUBMIT_REPO", "SUBMIT_BASE_BRANCH", "SUBMIT_DATA_DIR", "SECRET_KEY",
                "SUBMIT_RATE_LIMIT", "SUBMIT_REMOTE", "SUBMIT_PROXY_FIX", "SUBMIT_PUBLIC_URL")


def _secret_key(data_dir: Path) -> str:
    """The persisted secret key of this instance, created on first use (mode 0600)."""
    path = data_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def load_settings(app: Flask, test_config: dict | None) -> None:
    """Defaults, then environment variables, then the factory's mapping."""
    app.config.from_mapping(
        SUBMIT_REPO=str(ROOT),
        SUBMIT_BASE_BRANCH="main",
        SUBMIT_DATA_DIR=str(ROOT / "instance"),
        SUBMIT_RATE_LIMIT="10 per minute",
        SUBMIT_REMOTE=None,
        SUBMIT_PROXY_FIX=0,
        SUBMIT_PUBLIC_URL=None,  # absolute links in emails; default: the request's host
        # Four 5 MB photos plus the text fields, with room for multipart overhead.
        MAX_CONTENT_LENGTH=22 * 1024 * 1024,
        # A town-hall secretary may leave the form open for hours: don't expire the token.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.config.update({key: os.environ[key] for key in ENV_SETTINGS if os.environ.get(key)})
    if test_config:
        app.config.update(test_config)
    data_dir = Path(app.config["SUBMIT_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(data_dir)


def site_chrome() -> dict[str, str]:
    """Variables the theme's header and footer partials read, as the Pelican build sets them."""
    # Site-absolute links: the app is served on the site's own host (submit_app.serve).
    return {"SITEURL": "", "SITENAME": SITENAME, "SITESUBTITLE": SITESUBTITLE}


def create_app(test_config: dict | None = None) -> Flask:
    """Create the submission app (settings: environment, then `test_config`)."""
    app = Flask(__name__, static_folder="static", static_url_path="/app-static")
    load_settings(app, test_config)
    # Our templates first, then the theme's: its header and footer partials are shared.
    app.jinja_loader = ChoiceLoader([app.jinja_loader,
                                     FileSystemLoader(ROOT / "theme" / "templates")])
    app.context_processor(site_chrome)
    if int(app.config["SUBMIT_PROXY_FIX"] or 0):
        # Only behind a trusted reverse proxy: otherwise clients could forge their address.
        hops = int(app.config["SUBMIT_PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from submit_app import api, changes, cli, held, security, store, views, workflow

    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app)
    for blueprint in (views.bp, changes.bp):
        limiter.limit(lambda: app.config["SUBMIT_RATE_LIMIT"], methods=["POST"])(blueprint)
    store.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(changes.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(held.bp)
    # Last: its push worker starts only once the app is fully set up.
    workflow.init_app(app)
    return app
