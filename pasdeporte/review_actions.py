"""Editors' decisions on a review branch: approve (merge), reject, edit. Git plumbing only."""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from pasdeporte import metadata, review, tracking, validate
from pasdeporte.review import Context, Proposal
from pasdeporte.review_git import (
    ZERO,
    GitError,
    checked_out_worktree,
    commit_file,
    commit_tree,
    resolve,
    run,
    update_ref,
)


class Refused(Exception):
    """The action was refused; `messages` says why, in French."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _open(ctx: Context, review_id: str) -> Proposal:
    proposal = review.load(ctx, review_id)
    if tracking.rejection_reason(ctx.repo, review_id) is not None:
        raise Refused([f"{review_id} a déjà été refusée"])
    if review.is_settled(ctx, proposal):
        raise Refused([f"{review_id} est déjà publiée"])
    return proposal


def approve(ctx: Context, review_id: str) -> str:
    """Merge a valid proposal into the base branch, delete its branch; return the merge commit."""
    proposal = _open(ctx, review_id)
    problems = review.all_problems(ctx, proposal)
    if problems:
        raise Refused(problems)
    base_ref = f"refs/heads/{ctx.base_branch}"
    base = resolve(ctx.repo, base_ref)
    if base is None:
        raise Refused([f"branche de base « {ctx.base_branch} » introuvable dans ce dépôt"])
    try:
        tree = run(ctx.repo, "merge-tree", "--write-tree", base, proposal.tip).split()[0]
    except GitError:
        raise Refused([f"conflit : l'annonce a changé sur « {ctx.base_branch} » depuis cette "
                       "proposition ; corrigez-la avec « edit » ou refusez-la"]) from None
    title = metadata.clean_text(proposal.meta.get("Title", ""))[:80]
    message = (f"Publication {review_id} : {title}\n\n"
               f"Annonce {proposal.reference} relue et approuvée (scripts/review approve).\n")
    merge = commit_tree(ctx.repo, tree, [base, proposal.tip], message)
    worktree = checked_out_worktree(ctx.repo, ctx.base_branch)
    if worktree:
        # The editor's checkout follows, and git refuses if a local change would be overwritten.
        try:
            run(ctx.repo, "merge", "--ff-only", "--quiet", merge, cwd=worktree)
        except GitError as error:
            raise Refused([f"l'arbre de travail {worktree} a des modifications locales qui "
                           f"gênent la publication ; enregistrez-les (commit) ou mettez-les de "
                           f"côté (stash), puis relancez.\n{error}"]) from None
    else:
        update_ref(ctx.repo, base_ref, merge, base, f"pas-de-porte: publication {review_id}")
    if proposal.is_local:
        update_ref(ctx.repo, proposal.ref, ZERO, proposal.tip, "pas-de-porte: publiée")
    return merge


def reject(ctx: Context, review_id: str, reason: str) -> str:
    """Record the reason under refs/pasdeporte/rejected/ and delete the branch."""
    reason = metadata.normalize_body(reason).strip()
    if not reason:
        raise Refused(["indiquez la raison du refus (--reason) : elle sera montrée à l'auteur"])
    proposal = _open(ctx, review_id)
    tree = run(ctx.repo, "rev-parse", f"{proposal.tip}^{{tree}}").strip()
    # The record's parent is the branch tip, so the refused content stays available.
    record = commit_tree(ctx.repo, tree, [proposal.tip], f"Rejet {review_id}\n\n{reason}\n")
    update_ref(ctx.repo, tracking.rejected_ref(review_id), record, ZERO, "pas-de-porte: rejet")
    if proposal.is_local:
        update_ref(ctx.repo, proposal.ref, ZERO, proposal.tip, "pas-de-porte: rejetée")
    return record


def edit(ctx: Context, review_id: str, editor: str) -> str | None:
    """Let the editor change the listing in `editor`; commit it on the branch if valid."""
    proposal = _open(ctx, review_id)
    if not proposal.is_local:
        raise Refused([f"{review_id} n'existe que sur le dépôt distant : récupérez-la d'abord "
                       f"(git fetch) dans une branche locale {proposal.ref.split('/', 3)[-1]}"])
    if proposal.text is None:
        raise Refused(["cette branche ne contient pas exactement une annonce à modifier"])
    path = proposal.listing_path
    folder = Path(tempfile.mkdtemp(prefix=f"relecture-{review_id}-"))
    copy = folder / Path(path).name
    copy.write_text(proposal.text, encoding="utf-8")
    done = subprocess.run([*shlex.split(editor), str(copy)])
    if done.returncode != 0:
        raise Refused([f"l'éditeur « {editor} » a échoué (code {done.returncode}) ; "
                       f"copie conservée : {copy}"])
    text = copy.read_text(encoding="utf-8").replace("\r\n", "\n")
    if text == proposal.text:
        copy.unlink()
        folder.rmdir()
        return None
    problems = [str(p) for p in validate.errors(validate.check_text(text, path))]
    if metadata.loads(text).meta.get("Reference") != proposal.meta.get("Reference"):
        problems.append(f"{path}:1: la référence ne peut pas être modifiée")
    if problems:
        raise Refused([*problems, f"rien n'a été enregistré ; votre version est dans {copy}"])
    commit = commit_file(ctx.repo, proposal.tip, path, text.encode("utf-8"),
                         f"Relecture {review_id} : corrections éditoriales\n")
    update_ref(ctx.repo, proposal.ref, commit, proposal.tip, "pas-de-porte: relecture")
    copy.unlink()
    folder.rmdir()
    return commit


def export_tree(ctx: Context, commit: str, target: Path) -> Path:
    """Write the commit's files into `target` through a private index; return target."""
    target.mkdir(parents=True, exist_ok=True)
    env = {"GIT_INDEX_FILE": str(target / ".pasdeporte-index")}
    run(ctx.repo, "read-tree", commit, env=env)
    run(ctx.repo, "checkout-index", "-a", "-f", f"--prefix={target}/", env=env)
    (target / ".pasdeporte-index").unlink()
    return target


def submitter_email(data_dir: Path, reference: str) -> str | None:
    """The submitter's address from the app's private database, if it still holds one."""
    path = Path(data_dir) / "submissions.sqlite3"
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            row = db.execute("SELECT submitter_email FROM submissions WHERE reference = ?",
                             (reference,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row and row[0] else None
