"""The forms (/proposer/...) and the tracking page (/suivi/<reference>)."""

from __future__ import annotations

import re
import sqlite3

import git
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from pasdeporte import gitwrite, remote, schema, tracking
from submit_app import forms, images, listing, preview, store, workflow

bp = Blueprint("views", __name__)
FORM_ENDPOINTS = {"views.propose"}
TITLES = {"opportunite": "Publier une opportunité", "projet": "Publier un projet d'installation"}
SHORT_LABELS = {"consent": "Accord sur les données personnelles"}
ATTEMPTS = 5  # new references to try if a branch name is ever taken


@bp.get("/proposer")
@bp.get("/proposer/")
def choose():
    """Which kind of listing to publish."""
    return render_template("choose.html")


@bp.get("/proposer/donnees-personnelles")
def privacy():
    """What happens to submitters' personal data."""
    return render_template("privacy.html")


def _render(kind: str, form, summary=(), shown=None, status: int = 200):
    return render_template(
        "form.html", kind=kind, form=form, title=TITLES[kind], steps=forms.STEPS[kind],
        summary=list(summary), preview=shown, required_note=True), status


def _summary(form) -> list[tuple[str, str]]:
    """(field name, message) of every error, in the order of the form."""
    out = [("", message) for message in form.form_errors]
    for name, field in form._fields.items():
        label = SHORT_LABELS.get(name, field.label.text)
        out += [(name, f"{label} : {message}") for message in field.errors]
    return out


def _attach(form, problems: dict[str, list[str]]) -> None:
    for name, messages in problems.items():
        field = form._fields.get(name)
        if field is None or name == "csrf_token":
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


def _private_row(form, built: listing.Listing, kind: str, sha: str) -> store.Private:
    return store.Private(
        reference=built.reference, kind=kind, title=built.meta.get("Title", ""),
        path=built.path, commit_sha=sha,
        submitter_name=form.submitter_name.canonical,
        submitter_email=form.submitter_email.canonical,
        submitter_phone=form.submitter_phone.canonical or "",
        organisation=form.organisation.canonical or "",
        client_address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", "")[:300],
    )


def _save(form, kind: str, photos: list[bytes]):
    """Write the branch and the private record; the tracking URL, or None with errors attached."""
    config = current_app.config
    for _attempt in range(ATTEMPTS):
        reference = listing.new_reference()
        built = listing.build(kind, forms.listing_values(form), form.body.canonical, reference,
                              images.paths(reference, len(photos)))
        if built.problems:
            _attach(form, built.problems)
            return None
        files = {built.path: built.text.encode()}
        for path, data in zip(images.paths(reference, len(photos)), photos, strict=True):
            files[f"content/{path}"] = data
        branch = tracking.branch_name(reference)
        try:
            sha = gitwrite.commit_files(config["SUBMIT_REPO"], branch,
                                        config["SUBMIT_BASE_BRANCH"], files,
                                        listing.commit_message(built))
        except (gitwrite.RefExistsError, FileExistsError):
            continue
        try:
            store.record(_private_row(form, built, kind, sha))
        except sqlite3.IntegrityError:
            gitwrite.delete_branch(config["SUBMIT_REPO"], branch, sha)
            continue
        except Exception:
            # Never leave a branch whose submitter we cannot reach.
            gitwrite.delete_branch(config["SUBMIT_REPO"], branch, sha)
            raise
        # Accepted: pushing and emails happen in the background and never undo this.
        workflow.submitted(built.meta, reference, form.submitter_email.canonical)
        return url_for("views.track", reference=reference)
    raise RuntimeError("no free reference after several attempts")


@bp.route("/proposer/<any(opportunite, projet):kind>", methods=["GET", "POST"])
def propose(kind: str):
    """The guided form: `preview` shows the listing, `submit` writes the review branch."""
    form = forms.form_class(kind)()
    if request.method == "GET":
        return _render(kind, form)
    valid = form.validate()
    photos = []
    try:
        photos = images.from_uploads(form.images.data)
    except images.ImageError as error:
        form.images.errors = [*form.images.errors, f"{str(error)[:1].upper()}{str(error)[1:]}."]
        valid = False
    if form.website.data:
        form.form_errors.append("Envoi refusé : un champ caché a été rempli.")
        valid = False
    if not valid:
        return _render(kind, form, _summary(form))
    if "submit" in request.form:
        target = _save(form, kind, photos)
        if target:
            return redirect(target, 303)
        return _render(kind, form, _summary(form))
    reference = "apercu"
    built = listing.build(kind, forms.listing_values(form), form.body.canonical, reference)
    if built.problems:
        _attach(form, built.problems)
        return _render(kind, form, _summary(form))
    return _render(kind, form, shown=preview.render(built.meta, built.body))


def redisplay_after_csrf_error():
    """The form again, with what was typed, after a missing or expired security token."""
    kind = request.view_args.get("kind", "opportunite")
    form = forms.form_class(kind)(formdata=request.form if request.method == "POST" else None)
    form.form_errors.append("Votre session a expiré ou le formulaire n'a pas pu être vérifié. "
                            "Vérifiez ce que vous avez saisi, puis envoyez à nouveau.")
    return _render(kind, form, _summary(form))[0]


def _public_url(path: str) -> str:
    """Site URL of a listing file: content/opportunites/x.md -> /opportunites/x/."""
    folder, _, name = path.removeprefix("content/").rpartition("/")
    return f"/{folder}/{name.removesuffix('.md')}/"


def valid_reference(reference: str) -> bool:
    """Whether a URL segment can be a listing reference (anything else is a 404)."""
    return bool(schema.REFERENCE_RE.match(reference) and re.fullmatch(r"[a-z0-9-]+", reference))


def remote_name(repo: git.Repo) -> str | None:
    """The refs/remotes/ name of SUBMIT_REMOTE (a remote name or a URL), None without one."""
    configured = current_app.config.get("SUBMIT_REMOTE")
    return remote.tracking_name(repo, configured) if configured else None


@bp.get("/suivi/<reference>")
def track(reference: str):
    """Where a submission stands: received, published or rejected (with the reason)."""
    if not valid_reference(reference):
        abort(404)
    row = store.find(reference)
    config = current_app.config
    with git.Repo(config["SUBMIT_REPO"]) as repo:
        # Merged on the forge counts as published: the push worker fetches the remote's base.
        state = tracking.status(repo, reference, row["commit_sha"] if row else None,
                                config["SUBMIT_BASE_BRANCH"], remote_name(repo))
    if state.state == tracking.UNKNOWN:
        abort(404)
    url = _public_url(row["path"]) if row and state.state == tracking.PUBLISHED else None
    return render_template("track.html", reference=reference, state=state, row=row, url=url,
                           states=tracking)
