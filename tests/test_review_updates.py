"""Submitter updates (private link → review branch with only the State change), and tracking."""

from __future__ import annotations

import git as gitpython
import pytest
from review_helpers import git, make_repo, submit

from pasdeporte import review, review_actions, tracking, updates

SECRET = "clé-de-test"


@pytest.fixture
def repo(tmp_path):
    """A content repository with `main` checked out and two published listings."""
    return make_repo(tmp_path / "depot")


def test_token_is_tied_to_secret_and_reference():
    token = updates.token(SECRET, "abc0000001")
    assert updates.check_token(SECRET, "abc0000001", token)
    assert not updates.check_token(SECRET, "abc0000002", token)
    assert not updates.check_token("autre", "abc0000001", token)
    altered = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert not updates.check_token(SECRET, "abc0000001", altered)
    url = updates.update_url("https://exemple.fr/", SECRET, "abc0000001")
    assert url == f"https://exemple.fr/suivi/abc0000001/modifier?jeton={token}"


def test_update_opens_a_branch_with_only_the_state_line(repo):
    base = git(repo, "rev-parse", "main").strip()
    branch = updates.open_update(gitpython.Repo(repo), "main", "base-0001", "pourvue")
    assert branch.startswith("proposition/base-0001.maj-")
    diff = git(repo, "diff", "-U0", base, branch)
    changed = [line for line in diff.splitlines() if line[:1] in "+-"
               and not line.startswith(("+++", "---"))]
    assert changed == ["-State: ouverte", "+State: pourvue"]
    assert git(repo, "status", "--porcelain") == ""


def test_approved_update_is_published_and_rejectable_separately(repo):
    handle = gitpython.Repo(repo)
    first = updates.open_update(handle, "main", "base-0001", "en-discussion")
    second = updates.open_update(handle, "main", "base-0002", "retiree")
    ctx = review.Context(handle)
    first_id, second_id = (b.removeprefix("proposition/") for b in (first, second))
    assert {p.review_id for p in review.pending(ctx)} == {first_id, second_id}
    review_actions.approve(ctx, first_id)
    assert "State: en-discussion" in git(repo, "show", "main:content/opportunites/"
                                                       "pornic-epicerie.md")
    review_actions.reject(ctx, second_id, "Merci de nous appeler d'abord.")
    assert tracking.rejection_reason(handle, second_id) == "Merci de nous appeler d'abord."
    # The listing itself stays published: rejecting an update is not rejecting the listing.
    assert tracking.status(handle, "base-0002", None).state == tracking.PUBLISHED


@pytest.mark.parametrize("reference, state, message", [
    ("base-0001", "ouverte", "état non proposé"),
    ("base-0001", "n'importe", "état non proposé"),
    ("base-0001", "ouverte ", "état non proposé"),
    ("inconnue01", "pourvue", "pas (encore) publiée"),
    ("base-0001.maj-1", "pourvue", "pas (encore) publiée"),
])
def test_bad_updates_are_refused(repo, reference, state, message):
    with pytest.raises(updates.UpdateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        updates.open_update(gitpython.Repo(repo), "main", reference, state)


def test_same_state_is_refused(repo):
    handle = gitpython.Repo(repo)
    branch = updates.open_update(handle, "main", "base-0001", "pourvue")
    review_actions.approve(review.Context(handle), branch.removeprefix("proposition/"))
    with pytest.raises(updates.UpdateError, match="déjà dans cet état"):
        updates.open_update(handle, "main", "base-0001", "pourvue")


def test_pending_submission_cannot_be_updated_yet(repo):
    submit(repo, "neuve00001")
    with pytest.raises(updates.UpdateError):
        updates.open_update(gitpython.Repo(repo), "main", "neuve00001", "pourvue")


def test_status_without_commit_id_finds_published_reference(repo):
    handle = gitpython.Repo(repo)
    assert tracking.status(handle, "base-0001", None).state == tracking.PUBLISHED
    assert tracking.status(handle, "base-000", None).state == tracking.UNKNOWN
    assert tracking.status(handle, "base-0001$", None).state == tracking.UNKNOWN
    submit(repo, "neuve00001")
    assert tracking.status(handle, "neuve00001", None).state == tracking.RECEIVED
