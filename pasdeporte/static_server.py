"""Serve a built site from a thread on 127.0.0.1 (tests and benchmarks), optionally gzipped.

Gzip mirrors what any production host does for text files; Pagefind's own index files are
already compressed and are sent as they are.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files without access logs; gzip for text types when the client accepts it."""

    use_gzip = False
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "application/javascript",
                      ".mjs": "application/javascript", ".wasm": "application/wasm"}

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        if not self.use_gzip or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()
        ctype = self.guess_type(str(path))
        if not path.is_file() or not ctype.startswith(TEXT_TYPES):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


@contextmanager
def serve(directory: Path, use_gzip: bool = False) -> Iterator[str]:
    """Serve `directory` on a free port; yield its base URL ("http://127.0.0.1:PORT")."""
    handler = type("Handler", (QuietHandler,), {"use_gzip": use_gzip})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
