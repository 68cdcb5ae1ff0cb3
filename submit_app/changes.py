"""The submitter's private link /suivi/<reference>/modifier?jeton=…: ask for a state change.

The token is an HMAC of the reference (`pasdeporte.updates`); each accepted request opens its
own review branch `proposition/<reference>.maj-…` holding only the new `State:` line.
"""

from __future__ import annotations

import re

import git
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from pasdeporte import metadata, updates
from pasdeporte.review_git import read_blob, resolve
from submit_app import security, views, workflow

bp = Blueprint("changes", __name__)
TOKEN_RE = re.compile(r"[0-9a-f]{32}")
CHOICES = {
    "en-discussion": "Des discussions sont en cours : l'annonce reste visible, marquée « en "
                     "discussion ».",
    "pourvue": "C'est fait : l'annonce est pourvue (local loué, commerce repris, lieu trouvé…).",
    "retiree": "Retirer l'annonce : elle n'est plus d'actualité.",
}
STATE_LABELS = {"ouverte": "ouverte", "en-discussion": "en discussion", "pourvue": "pourvue",
                "retiree": "retirée"}


def _offered(form, field) -> None:
    if field.data not in CHOICES:
        raise StopValidation("Choisissez l'une des possibilités proposées.")


class UpdateForm(FlaskForm):
    """One choice among the changes a submitter may ask for."""

    state = RadioField("Que souhaitez-vous indiquer ?",
                       choices=[SelectChoice(value, text) for value, text in CHOICES.items()],
                       validate_choice=False, validators=[_offered],
                       render_kw={"required": True})


def _base_ref(repo: git.Repo, reference: str) -> str:
    """The base holding the published listing: the remote's when merged on the forge."""
    branch = current_app.config["SUBMIT_BASE_BRANCH"]
    name = views.remote_name(repo)
    refs = ([f"refs/remotes/{name}/{branch}"] if name else []) + [f"refs/heads/{branch}"]
    for ref in refs:
        sha = resolve(repo, ref)
        if sha and updates.find_listing(repo, sha, reference):
            return ref
    return refs[-1]


def _published(repo: git.Repo, base_ref: str, reference: str) -> dict[str, str]:
    """Metadata of the published listing (empty when it is not on the base)."""
    sha = resolve(repo, base_ref)
    path = updates.find_listing(repo, sha, reference) if sha else None
    data = read_blob(repo, sha, path) if path else None
    return metadata.loads(data.decode("utf-8", "replace")).meta if data else {}


def _refusal(reference: str, token: str) -> int | None:
    """404 for a malformed reference, 403 for a missing or wrong token, None when allowed."""
    if not views.valid_reference(reference):
        return 404
    # The pattern first: the token is only ever lowercase hex, anything else is refused cheaply.
    if not TOKEN_RE.fullmatch(token) or not updates.check_token(
            current_app.config["SECRET_KEY"], reference, token):
        return 403
    return None


def _page(repo: git.Repo, base_ref: str, reference: str, token: str, form: UpdateForm):
    meta = _published(repo, base_ref, reference)
    return render_template("update.html", form=form, reference=reference, meta=meta,
                           action=url_for("changes.modify", reference=reference, jeton=token),
                           state=STATE_LABELS.get(meta.get("State", ""), ""))


@bp.route("/suivi/<reference>/modifier", methods=["GET", "POST"])
def modify(reference: str):
    """Check the private token, then open a review branch with the requested state."""
    token = request.args.get("jeton", "", type=str)
    refusal = _refusal(reference, token)
    if refusal:
        abort(refusal)
    form = UpdateForm()
    with git.Repo(current_app.config["SUBMIT_REPO"]) as repo:
        base_ref = _base_ref(repo, reference)
        if form.validate_on_submit():
            try:
                branch = updates.open_update(repo, base_ref, reference, form.state.data)
            except updates.UpdateError as error:
                message = str(error)
                form.state.errors = [*form.state.errors, f"{message[:1].upper()}{message[1:]}."]
            else:
                workflow.update_requested(reference, form.state.data, branch)
                return render_template("update_done.html", reference=reference,
                                       wish=CHOICES[form.state.data])
        return _page(repo, base_ref, reference, token, form)


def redisplay_after_csrf_error():
    """The update page again, choice kept, after a missing or expired security token."""
    reference = (request.view_args or {}).get("reference", "")
    token = request.args.get("jeton", "", type=str)
    refusal = _refusal(reference, token)
    if refusal:
        return security.error_page(refusal)
    form = UpdateForm(formdata=None)
    choice = request.form.get("state", "")
    form.state.data = choice if choice in CHOICES else None
    form.state.errors = ["Votre session a expiré ou la page n'a pas pu être vérifiée. Vérifiez "
                         "votre choix, puis envoyez à nouveau."]
    with git.Repo(current_app.config["SUBMIT_REPO"]) as repo:
        return _page(repo, _base_ref(repo, reference), reference, token, form), 400
