"""Benchmark of the submission app: accepted submissions per second and latency percentiles.

`scripts/bench app [--listings 10000] [--clients 16] [--submissions 480]` builds a synthetic
repository of N listings with `git fast-import`, serves `submit_app` under waitress in its own
process (CSRF on, rate limit raised), then lets C concurrent clients each load the form once
and post valid listings. Every 303 must match one branch and one private record: none lost.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LISTING = """Title: Annonce synthétique {n}
Date: 2026-01-01
Kind: local-disponible
Sector: 47.11B
Reference: syn-{n:05d}
State: ouverte
Commune: 44131
Surface: {surface}
Contact_name: Mairie de Pornic
Contact_email: mairie@example.fr

Local de {surface} m² en centre-bourg, annonce numéro {n}.
"""


def make_repo(path: Path, listings: int) -> Path:
    """A repository whose `main` holds `listings` valid opportunities (one fast-import)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    chunks = ["commit refs/heads/main\n",
              "committer Bench <bench@example.org> 1767225600 +0000\n",
              "data 6\nbench\n"]
    for n in range(listings):
        data = LISTING.format(n=n, surface=40 + n % 200).encode()
        chunks.append(f"M 100644 inline content/opportunites/synthetique-{n:05d}.md\n"
                      f"data {len(data)}\n")
        chunks.append(data.decode() + "\n")
    subprocess.run(["git", "-c", "gc.auto=0", "fast-import", "--quiet"], cwd=path,
                   input="".join(chunks).encode(), check=True)
    return path


def form_data(n: int) -> dict[str, str]:
    """A valid opportunity posted by client request number n."""
    return {
        "title": f"Local commercial numéro {n} à Pornic", "kind": "local-disponible",
        "sector": "boulangerie", "commune": "Pornic", "surface": "85,5", "rent": "450",
        "body": f"Un local lumineux en centre-bourg ({n}).", "contact_name": "Mairie",
        "contact_email": "mairie@example.fr", "submitter_name": f"Client {n}",
        "submitter_email": f"client{n}@example.net", "consent": "y", "submit": "1",
    }


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart/form-data request with `images` files."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     .encode() + value.encode() + b"\r\n")
    for filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="images"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


class FormClient:
    """One browser-like client: a session cookie, the CSRF token, keep-alive connection."""

    def __init__(self, host: str, port: int, path: str = "/proposer/opportunite"):
        self.connection = HTTPConnection(host, port, timeout=60)
        self.path, self.cookie, self.token = path, "", ""

    def load_form(self) -> None:
        """GET the form: session cookie and CSRF token."""
        self.connection.request("GET", self.path)
        response = self.connection.getresponse()
        html = response.read().decode()
        self.cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        self.token = TOKEN_RE.search(html)[1]

    def post(self, fields: dict[str, str], files: list[tuple[str, bytes]] = ()
             ) -> tuple[int, str, float]:
        """POST the form (photos as `images` files); (status, Location, seconds)."""
        fields = {**fields, "csrf_token": self.token}
        if files:
            content_type, body = multipart(fields, files)
        else:
            content_type = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": content_type, "Cookie": self.cookie}
        start = time.perf_counter()
        self.connection.request("POST", self.path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or "", \
            time.perf_counter() - start


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_in_thread(app, threads: int = 16):
    """Serve a WSGI app with waitress in a thread on 127.0.0.1; yield (host, port)."""
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.effective_port
    finally:
        server.close()
        thread.join(5)


@contextlib.contextmanager
def serve_in_process(env: dict[str, str], threads: int = 16):
    """Serve `submit_app:create_app` with waitress-serve in its own process; yield (host, port)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "waitress-serve"), f"--port={port}",
               "--host=127.0.0.1", f"--threads={threads}", "--call", "submit_app:create_app"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(10)


def run_clients(host: str, port: int, clients: int, submissions: int):
    """Post `submissions` forms from `clients` concurrent clients; (results, wall seconds)."""
    per_client = [list(range(i, submissions, clients)) for i in range(clients)]

    def work(numbers):
        client = FormClient(host, port)
        client.load_form()
        return [(n, *client.post(form_data(n))) for n in numbers]

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for chunk in pool.map(work, per_client) for r in chunk]
    return results, time.perf_counter() - start


def branch_is_clean(repo: Path, ref: str) -> bool:
    """Whether a review branch is one commit on main adding only its own listing."""
    reference = ref.rsplit("/", 1)[1]
    out = subprocess.run(["git", "diff-tree", "-r", "--no-commit-id", "--name-status",
                          "--root", ref], cwd=repo, capture_output=True, text=True).stdout
    parent = subprocess.run(["git", "rev-parse", f"{ref}^", "main"], cwd=repo,
                            capture_output=True, text=True).stdout.split()
    lines = out.splitlines()
    return (len(parent) == 2 and parent[0] == parent[1] and len(lines) == 1
            and lines[0].startswith("A\tcontent/opportunites/")
            and lines[0].endswith(f"-{reference}.md"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; exit 1 if any submission was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--submissions", type=int, default=480)
    parser.add_argument("--threads", type=int, default=8)  # as submit_app.serve
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        repo, data = Path(tmp) / "repo", Path(tmp) / "data"
        started = time.perf_counter()
        make_repo(repo, args.listings)
        print(f"dépôt synthétique : {args.listings} annonces en "
              f"{time.perf_counter() - started:.1f} s")
        env = {"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(data),
               "SUBMIT_RATE_LIMIT": "1000000 per minute", "SUBMIT_BASE_BRANCH": "main"}
        with serve_in_process(env, args.threads) as (host, port):
            run_clients(host, port, 2, 4)  # warm-up: imports, reference data, caches
            results, wall = run_clients(host, port, args.clients, args.submissions)
        accepted = [r for r in results if r[1] == 303]
        latencies = sorted(r[3] * 1000 for r in results)
        refs = subprocess.run(["git", "for-each-ref", "--format=%(refname)",
                               "refs/heads/proposition/"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.split()
        located = {"refs/heads/proposition/" + r[2].rsplit("/", 1)[1] for r in accepted}
        with contextlib.closing(sqlite3.connect(data / "submissions.sqlite3")) as db:
            rows = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        lost = len(located - set(refs)) + (len(accepted) + 4 - rows)
        wrong = sum(not branch_is_clean(repo, ref) for ref in refs)
        fsck = subprocess.run(["git", "fsck", "--strict"], cwd=repo, capture_output=True)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"clients simultanés : {args.clients}, envois : {len(results)}, acceptés (303) : "
          f"{len(accepted)}, perdus : {lost}, branches incorrectes : {wrong}, git fsck : "
          f"{'propre' if fsck.returncode == 0 else 'ERREUR'}")
    print(f"débit : {len(accepted) / wall:.1f} envois acceptés/s (cible ≥ 50)")
    print(f"latence : p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms "
          f"(cible p95 < 250 ms)")
    ok = lost == 0 and wrong == 0 and fsck.returncode == 0 and len(accepted) == len(results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
