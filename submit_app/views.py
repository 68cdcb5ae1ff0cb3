"""The forms (/proposer/...) and the tracking page (/suivi/<reference>)."""

from __future__ import annotations

import re
import sqlite3

import git
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from pasdeporte import gitwrite, remote, schema, tracking
from submit_app import forms, freshbase, held, images, listing, preview, store, workflow

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


def _render(kind: str, form, summary=(), shown=None, status: int = 200, kept=None):
    kept = kept or held.Held()
    photos = [url_for("held.thumbnail", token=kept.token, name=name) for name in kept.ids()]
    return render_template(
        "form.html", kind=kind, form=form, title=TITLES[kind], steps=forms.STEPS[kind],
        summary=list(summary), preview=shown, required_note=True, photos_token=kept.token,
        held_photos=list(zip(kept.ids(), photos, strict=True)),
        room=images.MAX_FILES - len(photos)), status


def _sentence(error: Exception) -> str:
    return f"{str(error)[:1].upper()}{str(error)[1:]}."


def _photos(form) -> tuple[held.Held, list[str]]:
    """Photos held after this request's removals and uploads, and what went wrong."""
    kept = held.Held(request.form.get("photos_token", "", type=str))
    kept.remove(request.form.getlist("photos_remove", type=str))
    uploads = [f for f in form.images.data or [] if getattr(f, "filename", "")]
    room, problems, refused = images.MAX_FILES - len(kept.ids()), [], 0
    for upload in uploads:
        if room <= 0:
            refused += 1
            continue
        try:
            photo = images.reencode(upload.stream.read(images.MAX_BYTES + 1),
                                    upload.filename[:80])
        except images.ImageError as error:
            problems.append(_sentence(error))
            continue
        kept.add(photo)  # accepted photos are kept even if the rest of the form is not
        room -= 1
    if refused:
        problems.append(f"{images.MAX_FILES} photos au plus : {refused} photo"
                        f"{'s' if refused > 1 else ''} en trop n'{'ont' if refused > 1 else 'a'}"
                        " pas été gardée" + ("s." if refused > 1 else "."))
    return kept, problems


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
    # The remote's base when it is newer: the parent then holds what is published.
    base = freshbase.base_ref(config["SUBMIT_REPO"], config["SUBMIT_BASE_BRANCH"],
                              config.get("SUBMIT_REMOTE"))
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
            sha = gitwrite.commit_files(config["SUBMIT_REPO"], branch, base, files,
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
    if form.website.data:
        form.form_errors.append("Envoi refusé : un champ caché a été rempli.")
        valid = False
    kept, problems = _photos(form) if not form.website.data else (held.Held(), [])
    if problems:
        form.images.errors = [*form.images.errors, *problems]
        valid = False
    if not valid:
        return _render(kind, form, _summary(form), kept=kept)
    if "submit" in request.form:
        target = _save(form, kind, kept.photos())
        if target:
            kept.discard()  # now in the commit
            return redirect(target, 303)
        return _render(kind, form, _summary(form), kept=kept)
    reference = "apercu"
    built = listing.build(kind, forms.listing_values(form), form.body.canonical, reference)
    if built.problems:
        _attach(form, built.problems)
        return _render(kind, form, _summary(form), kept=kept)
    return _render(kind, form, shown=preview.render(built.meta, built.body), kept=kept)


def redisplay_after_csrf_error():
    """The form again, with what was typed, after a missing or expired security token."""
    kind = request.view_args.get("kind", "opportunite")
    form = forms.form_class(kind)(formdata=request.form if request.method == "POST" else None)
    form.form_errors.append("Votre session a expiré ou le formulaire n'a pas pu être vérifié. "
                            "Vérifiez ce que vous avez saisi, puis envoyez à nouveau.")
    kept = held.Held(request.form.get("photos_token", "", type=str))
    return _render(kind, form, _summary(form), kept=kept)[0]


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
