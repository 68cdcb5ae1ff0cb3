"""Write a new branch holding one commit through git plumbing, without index or working tree.

Blobs, trees and the commit go into the object database as loose objects (content-addressed:
concurrent writers of one object write the same bytes); a create-only `update-ref` then
publishes the branch, so of two writers picking one name exactly one wins. HEAD, the index and
checked-out files are never touched (FIELD-NOTES, "Git writes under concurrency"). Each thread
keeps one `cat-file --batch-command` and one `update-ref --stdin` per repository, and a folder
of 10,000 listings is spliced (bisect and copy), not parsed and rebuilt.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import itertools
import os
import re
import subprocess
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Path components we accept: no dot-files, no "..", nothing git or a shell would read specially.
COMPONENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$")
BRANCH_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
# A base given as a full ref: a local branch or a remote-tracking one (the remote's copy).
FULL_REF_RE = re.compile(r"^refs/(heads|remotes)/[A-Za-z0-9_][A-Za-z0-9._/-]*$")
IDENTITY_RE = re.compile(r"^[^<>\n]+$")
# gc.auto=0: thousands of loose objects must not start a background gc mid-request.
GIT = ("git", "-c", "gc.auto=0", "-c", "core.hooksPath=/dev/null")
TREE_ENTRY_RE = re.compile(rb"(([0-7]{5,6}) ([^\0]+)\0.{20})", re.S)
TREE_CACHE_SIZE = 64


class GitWriteError(RuntimeError):
    """A git plumbing command failed."""


class RefExistsError(GitWriteError):
    """The branch to create already exists (another writer took the name)."""


@dataclass(frozen=True)
class Identity:
    """Author and committer of platform commits."""

    name: str = "Pas-de-porte"
    email: str = "plateforme@pas-de-porte.invalid"


def check_path(path: str) -> tuple[str, ...]:
    """Split a repository-relative file path, refusing anything but plain components."""
    parts = tuple(path.split("/"))
    if not path or not all(COMPONENT_RE.match(part) for part in parts):
        raise ValueError(f"chemin refusé : {path!r}")
    return parts


class Tree:
    """A parsed tree object, kept as raw entries so that one entry can be spliced in cheaply."""

    def __init__(self, raw: bytes = b""):
        entries = TREE_ENTRY_RE.findall(raw)
        # Transpose and measure with C-level builtins: a folder may hold 10,000 listings.
        wholes, modes, names = zip(*entries, strict=True) if entries else ((), (), ())
        self.raw, self.wholes, self.names = raw, wholes, names
        self.ends = list(itertools.accumulate(map(len, wholes)))
        if (self.ends[-1] if self.ends else 0) != len(raw):
            raise GitWriteError("objet tree illisible")
        # Git sorts entries by name, reading a sub-tree's name as if it ended in "/".
        self.keys = [n + b"/" if m == b"40000" else n for m, n in zip(modes, names, strict=True)] \
            if b"40000" in modes else names

    def insert(self, name: str, mode: bytes, sha: bytes, replace: bool = False) -> bytes:
        """The raw tree with one entry added (or replaced when `replace`), in git's order."""
        encoded = name.encode()
        index = bisect.bisect_left(self.keys, encoded + b"/" if mode == b"40000" else encoded)
        offset = self.ends[index - 1] if index else 0
        entry = mode + b" " + encoded + b"\0" + sha
        if index < len(self.names) and self.names[index] == encoded:
            if not replace:
                raise FileExistsError(name)
            return self.raw[:offset] + entry + self.raw[self.ends[index]:]
        if encoded in self.names:  # a file and a folder of the same name
            raise FileExistsError(name)
        return self.raw[:offset] + entry + self.raw[offset:]


_trees: OrderedDict[str, Tree] = OrderedDict()
_trees_lock = threading.Lock()


def _cached_tree(sha: str, read) -> Tree:
    """The parsed tree `sha` (trees are immutable: a cache by name is always right)."""
    with _trees_lock:
        if sha in _trees:
            _trees.move_to_end(sha)
            return _trees[sha]
    tree = Tree(read())
    with _trees_lock:
        _trees[sha] = tree
        while len(_trees) > TREE_CACHE_SIZE:
            _trees.popitem(last=False)
    return tree


def write_object(objects: Path, kind: str, data: bytes) -> str:
    """Store a loose object the way git does (temporary file, then link); return its sha."""
    body = f"{kind} {len(data)}\0".encode() + data
    sha = hashlib.sha1(body).hexdigest()  # noqa: S324 (git's object names, not security)
    final = objects / sha[:2] / sha[2:]
    if not final.exists():
        final.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix="tmp_obj_")
        try:
            with os.fdopen(fd, "wb") as handle:
                # Level 1 is git's own default for loose objects (core.looseCompression).
                handle.write(zlib.compress(body, 1))
            os.chmod(tmp, 0o444)
            with contextlib.suppress(FileExistsError):  # another writer stored it first
                os.link(tmp, final)
        finally:
            os.unlink(tmp)
    return sha


class _Git:
    """One thread's long-lived git processes on one repository."""

    def __init__(self, repo: Path):
        self.repo, self.cat, self.refs = repo, None, None
        out = subprocess.run([*GIT, "rev-parse", "--path-format=absolute", "--git-path",
                              "objects"], cwd=repo, capture_output=True, check=False)
        if out.returncode:
            raise GitWriteError(f"dépôt git introuvable : {repo}")
        self.objects = Path(out.stdout.decode().strip())

    def _start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([*GIT, *args], cwd=self.repo, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def ask(self, command: str) -> tuple[str, str, bytes | None] | None:
        """`info NAME` or `contents NAME`: (sha, type, data or None), None if missing."""
        if self.cat is None or self.cat.poll() is not None:
            self.cat = self._start("cat-file", "--batch-command")
        self.cat.stdin.write(command.encode() + b"\n")
        self.cat.stdin.flush()
        header = self.cat.stdout.readline().split()
        if len(header) != 3:
            if header[-1:] == [b"missing"]:
                return None
            self.cat = None
            raise GitWriteError(f"git cat-file: réponse inattendue {header!r}")
        data = None
        if command.startswith("contents"):
            data = self.cat.stdout.read(int(header[2]) + 1)[:-1]
        return header[0].decode(), header[1].decode(), data

    def create_ref(self, ref: str, sha: str) -> None:
        """Create `ref` at `sha` in one transaction; RefExistsError if it exists already."""
        if self.refs is None or self.refs.poll() is not None:
            self.refs = self._start("update-ref", "-m", "pas-de-porte: proposition", "--stdin")
        self.refs.stdin.write(f"start\ncreate {ref} {sha}\nprepare\ncommit\n".encode())
        self.refs.stdin.flush()
        answers = [self.refs.stdout.readline().strip() for _ in range(3)]
        if answers != [b"start: ok", b"prepare: ok", b"commit: ok"]:
            # git exits on a failed transaction: report why and start afresh next time.
            proc, self.refs = self.refs, None
            proc.stdin.close()
            error = proc.stderr.read().decode("utf-8", "replace").strip()
            proc.wait()
            if "exists" in error or "cannot lock ref" in error:
                raise RefExistsError(ref)
            raise GitWriteError(f"git update-ref: {error}")


_local = threading.local()


def _git(repo: Path) -> _Git:
    processes = _local.__dict__.setdefault("git", {})
    key = str(repo.resolve())
    if key not in processes:
        processes[key] = _Git(repo)
    return processes[key]


def _folder_tree(git: _Git, commit: str, folder: str) -> Tree:
    name = f"{commit}^{{tree}}" if not folder else f"{commit}:{folder}"
    found = git.ask(f"info {name}")
    if found is None:
        return Tree()
    if found[1] != "tree":
        raise GitWriteError(f"{folder!r} n'est pas un dossier dans {commit}")
    return _cached_tree(found[0], lambda: git.ask(f"contents {found[0]}")[2])


def _commit_object(tree: str, parent: str, message: str, identity: Identity) -> bytes:
    if not (IDENTITY_RE.match(identity.name) and IDENTITY_RE.match(identity.email)):
        raise ValueError("identité git invalide")
    stamp = f"{identity.name} <{identity.email}> {int(time.time())} +0000"
    message = message if message.endswith("\n") else message + "\n"
    return (f"tree {tree}\nparent {parent}\nauthor {stamp}\ncommitter {stamp}\n\n"
            f"{message}").encode()


def _base_ref(base: str) -> str:
    """`refs/heads/<base>` for a branch name; a full ref (`refs/remotes/origin/main`) as is."""
    if not base.startswith("refs/"):
        return f"refs/heads/{base}"
    if not FULL_REF_RE.match(base) or ".." in base:
        raise ValueError(f"référence de base refusée : {base!r}")
    return base


def resolve_commit(repo: str | os.PathLike, ref: str) -> str | None:
    """The commit a branch name or full ref points to, None if it does not exist."""
    found = _git(Path(repo)).ask(f"info {_base_ref(ref)}^{{commit}}")
    return found[0] if found else None


def commit_files(repo: str | os.PathLike, branch: str, base: str, files: Mapping[str, bytes],
                 message: str, identity: Identity = Identity()) -> str:
    """Create `refs/heads/<branch>`: one commit on `base` adding `files`; return its sha.

    `base` is a branch name or a full ref (`refs/remotes/<remote>/<branch>`). Raises
    RefExistsError if the branch exists, FileExistsError if a file already exists on
    `base`, GitWriteError on any other git failure. Touches no index and no working tree.
    """
    repo = Path(repo)
    if not BRANCH_RE.match(branch) or ".." in branch:
        raise ValueError(f"nom de branche refusé : {branch!r}")
    parsed = {path: check_path(path) for path in files}
    folders = {""} | {"/".join(parts[:i])
                      for parts in parsed.values() for i in range(1, len(parts))}
    base_ref = _base_ref(base)
    git = _git(repo)
    # Resolve the base once, then read every folder of that very commit: if the base moves
    # meanwhile, the new branch still has one consistent parent.
    found = git.ask(f"info {base_ref}^{{commit}}")
    if found is None:
        raise GitWriteError(f"branche de base introuvable : {base}")
    parent = found[0]
    if len(parent) != 40:
        raise GitWriteError("seuls les dépôts SHA-1 sont pris en charge")
    trees = {folder: _folder_tree(git, parent, folder) for folder in folders}
    raws: dict[str, bytes] = {}
    for path, parts in parsed.items():
        folder = "/".join(parts[:-1])
        blob = write_object(git.objects, "blob", files[path])
        tree = Tree(raws[folder]) if folder in raws else trees[folder]
        raws[folder] = tree.insert(parts[-1], b"100644", bytes.fromhex(blob))
    # Deepest folders first, so that each parent receives its children's new trees.
    for folder in sorted(folders - {""}, key=lambda f: -f.count("/")):
        sha = write_object(git.objects, "tree", raws[folder])
        above, _, name = folder.rpartition("/")
        tree = Tree(raws[above]) if above in raws else trees[above]
        raws[above] = tree.insert(name, b"40000", bytes.fromhex(sha), replace=True)
    root = write_object(git.objects, "tree", raws[""])
    commit = write_object(git.objects, "commit",
                          _commit_object(root, parent, message, identity))
    git.create_ref(f"refs/heads/{branch}", commit)
    return commit


def delete_branch(repo: str | os.PathLike, branch: str, commit: str) -> None:
    """Delete a branch only if it still points to `commit` (undo a write)."""
    result = subprocess.run([*GIT, "update-ref", "-d", f"refs/heads/{branch}", commit],
                            cwd=repo, capture_output=True, check=False)
    if result.returncode:
        raise GitWriteError(result.stderr.decode("utf-8", "replace").strip())
