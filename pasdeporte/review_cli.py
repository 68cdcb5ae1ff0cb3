"""`scripts/review`: list, show, approve, reject and edit review branches; push the queue.

Exit codes: 0 done, 1 refused (validation, forbidden paths, dirty tree, push failures),
2 usage error or unknown reference.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import git

from pasdeporte import notify, remote, review, review_actions, review_render, tracking
from pasdeporte.review_git import GitError, checked_out_worktree, resolve, run

ROOT = Path(__file__).resolve().parent.parent
OK, REFUSED, USAGE = 0, 1, 2


def _say(*lines: str, err: bool = False) -> None:
    print("\n".join(lines), file=sys.stderr if err else sys.stdout, flush=True)


def context(args: argparse.Namespace) -> review.Context:
    """Open the repository and, when a remote is set, refresh what it knows of it."""
    repo = git.Repo(args.repo)
    ctx = review.Context(repo, args.base)
    if args.remote:
        ctx.remote = remote.tracking_name(repo, args.remote)
        ctx.push_to = args.remote
        if not args.no_fetch:
            try:
                remote.fetch(repo, args.remote)
            except GitError as error:
                _say(f"avertissement : dépôt distant injoignable, état local utilisé ({error})",
                     err=True)
    return ctx


def cmd_list(ctx: review.Context, args: argparse.Namespace) -> int:
    """One line per pending proposal."""
    proposals = review.pending(ctx)
    if not proposals:
        _say("Aucune proposition en attente.")
        return OK
    rows = [("RÉFÉRENCE", "TYPE", "LIEU", "TITRE", "ÂGE", "VALIDATION")]
    for proposal in proposals:
        problems = review.all_problems(ctx, proposal)
        title = proposal.meta.get("Title", "(sans annonce)")
        rows.append((proposal.review_id + ("" if proposal.is_local else " (distante)"),
                     proposal.meta.get("Kind", "?"), review_render.place(proposal.meta)[:24],
                     title if len(title) <= 40 else title[:39] + "…",
                     review_render.age(proposal.created),
                     "valide" if not problems else f"{len(problems)} problème(s)"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        _say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
             + "  " + row[-1])
    return OK


def cmd_show(ctx: review.Context, args: argparse.Namespace) -> int:
    """The listing as text, the validation result, the touched paths and the diff."""
    proposal = review.load(ctx, args.reference)
    where = proposal.ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    _say(f"Proposition {proposal.review_id} (branche {where}, "
         f"reçue {review_render.ago(proposal.created)})", "", "== Annonce ==")
    _say(review_render.listing_text(proposal.text) if proposal.text else "(aucune annonce)")
    problems = review.all_problems(ctx, proposal)
    warnings = [str(p) for p in review.listing_problems(ctx, proposal) if p.severity != "error"]
    verdict = problems or ["Aucun problème : la proposition peut être approuvée."]
    _say("== Validation ==", *verdict, *warnings, "", "== Fichiers touchés ==")
    _say(*(f"{c.status} {c.path}" for c in proposal.changes), "", "== Différences avec la base ==")
    if proposal.fork:
        _say(run(ctx.repo, "diff", "--no-color", "--no-renames", proposal.fork, proposal.tip))
    return OK


def _notify(args: argparse.Namespace, review_id: str, status: str, reason: str = "") -> None:
    if args.no_notify or tracking.UPDATE_SEPARATOR in review_id or notify.settings() is None:
        return
    email = review_actions.submitter_email(args.data_dir, review_id)
    if not email:
        _say(f"pas de courriel d'auteur connu pour {review_id} : personne n'est prévenu", err=True)
        return
    url = f"{os.environ.get('SUBMIT_PUBLIC_URL', '').rstrip('/')}/suivi/{review_id}"
    try:
        notify.decision(None, email, review_id, status, url, reason)
        _say(f"Courriel envoyé à l'auteur ({email}).")
    except OSError as error:  # smtplib errors are OSErrors: the decision itself stands
        _say(f"avertissement : courriel non envoyé ({error})", err=True)


def _push(ctx: review.Context, review_id: str, refspecs: list[str]) -> None:
    """Share a decision with the remote; on failure say how to retry, the decision stands."""
    if not ctx.push_to:
        return
    branch = f"refs/remotes/{ctx.remote}/{tracking.BRANCH_PREFIX}{review_id}"
    if resolve(ctx.repo, branch):
        refspecs.append(f":refs/heads/{tracking.BRANCH_PREFIX}{review_id}")
    try:
        run(ctx.repo, "push", "--atomic", "--quiet", ctx.push_to, *refspecs,
            timeout=remote.NETWORK_TIMEOUT)
        _say(f"Décision envoyée au dépôt distant {ctx.push_to}.")
    except GitError as error:
        _say(f"avertissement : envoi au dépôt distant impossible ({error}).",
             f"Relancez : git push --atomic {ctx.push_to} {' '.join(refspecs)}", err=True)


def cmd_approve(ctx: review.Context, args: argparse.Namespace) -> int:
    """Merge, delete the branch, push when a remote is set, notify, build when asked."""
    merge = review_actions.approve(ctx, args.reference)
    _say(f"{args.reference} publiée sur « {ctx.base_branch} » (commit {merge[:10]}).")
    _push(ctx, args.reference, [f"{merge}:refs/heads/{ctx.base_branch}"])
    _notify(args, args.reference, tracking.PUBLISHED)
    if not args.build:
        return OK
    worktree = checked_out_worktree(ctx.repo, ctx.base_branch)
    with tempfile.TemporaryDirectory(prefix="pasdeporte-build-") as folder:
        source = Path(worktree) if worktree else review_actions.export_tree(ctx, merge,
                                                                            Path(folder))
        output = args.output or (source / "output" if worktree else ROOT / "output")
        command = [str(ROOT / "scripts" / "build"), "--content", str(source / "content"),
                   "--output", str(output)]
        _say(f"Construction du site : {' '.join(command)}")
        if subprocess.run(command).returncode != 0:
            _say("La publication est faite mais la construction du site a échoué.", err=True)
            return REFUSED
    return OK


def cmd_reject(ctx: review.Context, args: argparse.Namespace) -> int:
    """Record the reason, delete the branch, push when a remote is set, notify."""
    record = review_actions.reject(ctx, args.reference, args.reason)
    _say(f"{args.reference} refusée ; la raison est visible sur sa page de suivi.")
    _push(ctx, args.reference, [f"{record}:{tracking.rejected_ref(args.reference)}"])
    _notify(args, args.reference, tracking.REJECTED, args.reason)
    return OK


def cmd_edit(ctx: review.Context, args: argparse.Namespace) -> int:
    """Open the listing in $VISUAL / $EDITOR and commit the valid result on the branch."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    commit = review_actions.edit(ctx, args.reference, editor)
    if commit is None:
        _say("Aucune modification.")
    else:
        _say(f"Modification enregistrée sur {tracking.branch_name(args.reference)} "
             f"(commit {commit[:10]}).")
    return OK


def cmd_push_pending(ctx: review.Context, args: argparse.Namespace) -> int:
    """Push every queued branch to SUBMIT_REMOTE (and open merge requests if FORGE is set)."""
    from pasdeporte import forge

    if not args.remote:
        _say("SUBMIT_REMOTE (ou --remote) n'est pas défini : rien à envoyer.", err=True)
        return USAGE
    report = remote.PushQueue(args.data_dir).push_pending(ctx.repo, args.remote, forge.from_env())
    for branch in report.pushed:
        _say(f"envoyée : {branch}")
    for branch, url in report.merge_requests.items():
        _say(f"demande de fusion : {branch} {url}")
    for branch in report.dropped:
        _say(f"retirée de la file (branche déjà traitée ici) : {branch}")
    for branch, error in report.failed.items():
        _say(f"échec : {branch} : {error}", err=True)
    left = len(remote.PushQueue(args.data_dir).entries())
    _say(f"{len(report.pushed)} envoyée(s), {len(report.failed)} échec(s), {left} en file.")
    return REFUSED if report.failed else OK


COMMANDS = {"list": cmd_list, "show": cmd_show, "approve": cmd_approve, "reject": cmd_reject,
            "edit": cmd_edit, "push-pending": cmd_push_pending}


def parser() -> argparse.ArgumentParser:
    """The command line, with settings defaulting to the app's environment variables."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--repo", default=os.environ.get("SUBMIT_REPO") or str(ROOT),
                        help="dépôt des propositions (SUBMIT_REPO ; par défaut : ce dépôt)")
    common.add_argument("--base", default=os.environ.get("SUBMIT_BASE_BRANCH") or "main",
                        help="branche publiée (SUBMIT_BASE_BRANCH ; par défaut : main)")
    common.add_argument("--remote", default=os.environ.get("SUBMIT_REMOTE") or None,
                        help="dépôt distant partagé (SUBMIT_REMOTE), nom ou adresse")
    common.add_argument("--no-fetch", action="store_true",
                        help="ne pas interroger le dépôt distant")
    common.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("SUBMIT_DATA_DIR") or ROOT / "instance"),
                        help="données privées de l'application (SUBMIT_DATA_DIR)")
    main_parser = argparse.ArgumentParser(prog="scripts/review",
                                          description="Relecture des annonces proposées.")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    commands.add_parser("list", parents=[common], help="propositions en attente")
    for name, text in (("show", "afficher une proposition"), ("edit", "corriger l'annonce")):
        commands.add_parser(name, parents=[common], help=text).add_argument("reference")
    approve = commands.add_parser("approve", parents=[common], help="publier une proposition")
    approve.add_argument("reference")
    approve.add_argument("--build", action="store_true", help="reconstruire le site ensuite")
    approve.add_argument("--output", type=Path, help="dossier du site construit")
    approve.add_argument("--no-notify", action="store_true", help="ne pas prévenir l'auteur")
    reject = commands.add_parser("reject", parents=[common], help="refuser une proposition")
    reject.add_argument("reference")
    reject.add_argument("--reason", required=True, help="raison montrée à l'auteur")
    reject.add_argument("--no-notify", action="store_true", help="ne pas prévenir l'auteur")
    commands.add_parser("push-pending", parents=[common],
                        help="envoyer les branches en attente au dépôt distant")
    return main_parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code."""
    args = parser().parse_args(argv)
    try:
        ctx = context(args)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        _say(f"erreur : {args.repo} n'est pas un dépôt git", err=True)
        return USAGE
    try:
        return COMMANDS[args.command](ctx, args)
    except review.UnknownReference as error:
        _say(f"erreur : aucune proposition en attente « {error.args[0]} » "
             f"(voir scripts/review list)", err=True)
        return USAGE
    except review_actions.Refused as refusal:
        _say("Refusé :", *(f"  {message}" for message in refusal.messages), err=True)
        return REFUSED
    except GitError as error:
        _say(f"erreur git : {error}", err=True)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
