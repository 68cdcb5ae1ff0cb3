"""What follows an accepted submission: push the branch to SUBMIT_REMOTE, email editors and author.

Both run off the request thread so that the answer stays fast and a dead remote or mail server
never fails a submission: the branch is queued durably (`pasdeporte.remote.PushQueue`) and a
`RetryWorker` thread pushes it; emails go through a one-thread outbox that logs failures.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait

from flask import Flask, current_app, request

from pasdeporte import forge, notify, remote, tracking, updates

KEY = "pasdeporte_workflow"
PUSH_INTERVAL = 60  # seconds between passes over the queue (and fetches of the remote)
FORGE_SETTINGS = ("FORGE", "FORGE_API_URL", "FORGE_REPOSITORY", "FORGE_TOKEN")
log = logging.getLogger(__name__)


class Pusher:
    """The push queue of this app and the one RetryWorker of this process that empties it."""

    def __init__(self, data_dir: str, repo: str, target: str, forge_client=None,
                 interval: float = PUSH_INTERVAL):
        self.queue = remote.PushQueue(data_dir)
        self.repo, self.target, self.forge, self.interval = repo, target, forge_client, interval
        self.worker: remote.RetryWorker | None = None
        self._pid = None
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> remote.RetryWorker | None:
        """Start the worker unless it runs in this process (threads do not survive a fork)."""
        with self._lock:
            if self._stopped:
                return None
            if self.worker is None or self._pid != os.getpid() or not self.worker.is_alive():
                self.worker = remote.RetryWorker(self.queue, self.repo, self.target,
                                                 self.interval, self.forge)
                self.worker.start()
                self._pid = os.getpid()
            return self.worker

    def enqueue(self, branch: str) -> None:
        """Queue a branch durably, then ask the worker to push it now."""
        self.queue.enqueue(branch)
        worker = self.start()
        if worker is not None:
            worker.wake()

    def stop(self, timeout: float | None = 0) -> None:
        """End the worker after its current pass; wait up to `timeout` s (None: until done)."""
        with self._lock:
            self._stopped = True
            worker = self.worker
        if worker is not None:
            worker.stop()
            if timeout != 0 and worker is not threading.current_thread():
                worker.join(timeout)


def _deliver(send: Callable[..., bool], *args) -> None:
    try:
        send(*args)
    except OSError as error:  # smtplib's errors are OSErrors: the submission stands anyway
        log.warning("courriel non envoyé (%s) : %s", send.__name__, error)
    except Exception:  # a bad setting (SMTP_PORT) must not kill the outbox either
        log.exception("courriel non envoyé (%s)", send.__name__)


class Outbox:
    """Sends emails one at a time from a background thread, logging failures."""

    def __init__(self):
        self._pool: ThreadPoolExecutor | None = None
        self._pid = None
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def send(self, function: Callable[..., bool], *args) -> None:
        """Call `function(*args)` (a `pasdeporte.notify` sender) in the background."""
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="pasdeporte-mail")
                self._pid = os.getpid()
            future = self._pool.submit(_deliver, function, *args)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait for queued emails; True when none is left."""
        with self._lock:
            pending = list(self._pending)
        return not wait(pending, timeout).not_done

    def close(self) -> None:
        """Stop taking emails; those already queued are still sent."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
                self._pool = None


class Workflow:
    """Per-app state: the pusher (None without SUBMIT_REMOTE) and the outbox."""

    def __init__(self, pusher: Pusher | None, outbox: Outbox):
        self.pusher, self.outbox = pusher, outbox

    def close(self, timeout: float | None = 0) -> None:
        """Stop the background threads (tests, shutdown)."""
        if self.pusher is not None:
            self.pusher.stop(timeout)
        self.outbox.close()


def forge_from(config: Mapping) -> forge.Forge | None:
    """The forge adapter from the environment, overridden by the app's FORGE* settings."""
    env = {**os.environ, **{key: str(config[key]) for key in FORGE_SETTINGS if config.get(key)},
           "SUBMIT_BASE_BRANCH": config["SUBMIT_BASE_BRANCH"]}
    return forge.from_env(env)


def init_app(app: Flask) -> Workflow:
    """Create the app's workflow and, with SUBMIT_REMOTE, start its push worker."""
    config = app.config
    pusher = None
    if config.get("SUBMIT_REMOTE"):
        pusher = Pusher(config["SUBMIT_DATA_DIR"], config["SUBMIT_REPO"],
                        config["SUBMIT_REMOTE"], forge_from(config))
        # Push what an earlier run left in the queue without waiting for a new submission.
        pusher.start()
    flow = Workflow(pusher, Outbox())
    app.extensions[KEY] = flow
    # The worker holds no reference to the app: when the app goes (a test), its threads end.
    weakref.finalize(app, flow.close)
    return flow


def get(app: Flask | None = None) -> Workflow:
    """The workflow of `app` (default: the current app)."""
    return (app or current_app).extensions[KEY]


def public_url() -> str:
    """Absolute root of the public site (SUBMIT_PUBLIC_URL, else this request's), no final /."""
    return (current_app.config.get("SUBMIT_PUBLIC_URL") or request.url_root).rstrip("/")


def tracking_url(reference: str) -> str:
    """Absolute link to the tracking page of a reference."""
    return f"{public_url()}/suivi/{reference}"


def queue_branch(branch: str) -> None:
    """Queue a new review branch for the remote when one is set; never raises."""
    pusher = get().pusher
    if pusher is None:
        return
    try:
        pusher.enqueue(branch)
    except Exception:  # the branch exists locally: `scripts/review push-pending` can still send it
        log.exception("branche %s non mise en file d'envoi", branch)


def mail_enabled() -> bool:
    """Whether SMTP is configured; a broken setting is logged, never raised."""
    try:
        return notify.settings(current_app.config) is not None
    except ValueError:  # e.g. SMTP_PORT is not a number
        log.exception("réglages SMTP invalides : aucun courriel envoyé")
        return False


def submitted(meta: Mapping[str, str], reference: str, submitter_email: str) -> None:
    """After a submission is stored: queue its branch, email the editors and the submitter."""
    queue_branch(tracking.branch_name(reference))
    if not mail_enabled():
        return
    config, outbox, link = current_app.config, get().outbox, tracking_url(reference)
    private = updates.update_url(public_url(), config["SECRET_KEY"], reference)
    outbox.send(notify.new_submission, config, dict(meta), reference, link)
    outbox.send(notify.confirmation, config, submitter_email, reference, meta.get("Title", ""),
                link, private)


def update_requested(reference: str, state: str, branch: str) -> None:
    """After a submitter's change opened `branch`: queue it and tell the editors."""
    queue_branch(branch)
    if mail_enabled():
        get().outbox.send(notify.update_request, current_app.config, reference, state,
                          branch.removeprefix(tracking.BRANCH_PREFIX), tracking_url(reference))
