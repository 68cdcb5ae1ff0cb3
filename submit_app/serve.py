"""Serve the built site and the form app together on one port (scripts/run)."""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path

from flask import Flask, abort, redirect, send_from_directory
from werkzeug.security import safe_join

# Paths handled by the form app; everything else is the static site.
APP_PREFIXES = ("/proposer", "/suivi", "/api/", "/app-static/")


def _site_headers(response):
    # The site's own pages keep their CSP choices (Pagefind needs wasm); these are safe for all.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def site_app(site_dir: Path) -> Flask:
    """A WSGI app serving a built static site, with index.html for folders."""
    site = Flask("pasdeporte_site", static_folder=None)
    root = str(Path(site_dir).resolve())
    site.after_request(_site_headers)

    @site.route("/", defaults={"path": ""})
    @site.route("/<path:path>")
    def page(path: str):
        target = safe_join(root, path)
        if target is None:
            abort(404)
        if os.path.isdir(target):
            if path and not path.endswith("/"):
                return redirect(f"/{path}/", 301)
            path = f"{path}index.html"
        return send_from_directory(root, path)

    return site


class Dispatcher:
    """Send form-app paths to the Flask app and the rest to the static site."""

    def __init__(self, app, site):
        self.app, self.site = app, site

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        target = self.app if path.startswith(APP_PREFIXES) else self.site
        return target(environ, start_response)


def _built(result) -> None:
    if result == 0:
        print("Site republié.", flush=True)
    else:  # the build printed why; the last good site stays online
        print("Republication impossible : le site en ligne reste le précédent.", flush=True)


def watch_content(content: Path, site: Path) -> threading.Event:
    """Republish `site` whenever `content` changes, from a daemon thread; set the event to stop."""
    from pasdeporte.fastbuild import watch

    stop = threading.Event()
    thread = threading.Thread(target=watch.run, args=(content, site), name="pasdeporte-watch",
                              kwargs={"stop": stop, "on_build": _built}, daemon=True)
    thread.start()
    return stop


def main(argv: list[str] | None = None) -> None:
    """Serve with waitress until interrupted, republishing the site when `content/` changes."""
    import waitress

    from submit_app import create_app

    parser = argparse.ArgumentParser(description="Sert le site et les formulaires.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--site", type=Path, default=Path("output"))
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="dossier des annonces surveillé (défaut : content)")
    parser.add_argument("--no-watch", action="store_true",
                        help="ne pas republier le site quand les annonces changent")
    args = parser.parse_args(argv)
    app = Dispatcher(create_app(), site_app(args.site))
    if not args.no_watch and args.content.is_dir():
        watch_content(args.content, args.site)
        print(f"Republication automatique quand {args.content}/ change.", flush=True)
    print(f"Pas-de-porte : http://{args.host}:{args.port}/ (Ctrl-C pour arrêter)", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=8)


if __name__ == "__main__":
    main()
