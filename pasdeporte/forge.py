"""Open a merge request per review branch on GitHub, GitLab or Gitea/Forgejo (REST, urllib).

Settings come from the environment: FORGE (github, gitlab, gitea or forgejo), FORGE_REPOSITORY
(owner/name, or a GitLab project path or id), FORGE_TOKEN, FORGE_API_URL (needed for Gitea
and Forgejo, and for a self-hosted GitLab or GitHub Enterprise) and SUBMIT_BASE_BRANCH.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

TIMEOUT = 20
DEFAULT_API = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4"}


class ForgeError(RuntimeError):
    """The forge refused the request or could not be reached."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Forge:
    """A forge's merge-request endpoint; subclasses say which URL, headers and body."""

    name = "forge"

    def __init__(self, api_url: str, repository: str, token: str, base_branch: str = "main"):
        self.api_url = api_url.rstrip("/")
        self.repository, self.token, self.base_branch = repository, token, base_branch

    def _request(self, method: str, path: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        if not self.api_url.startswith(("https://", "http://")):
            raise ForgeError(f"adresse d'API invalide : {self.api_url}")
        headers = {**self.headers(), "User-Agent": "pas-de-porte",
                   "Content-Type": "application/json"}
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.api_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            raise ForgeError(f"{self.name} : HTTP {error.code} {detail}", error.code) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ForgeError(f"{self.name} injoignable : {error}") from None

    def _create(self, path: str, payload: dict, url_key: str) -> str:
        """POST a new merge request; one that already exists (a retry) counts as done."""
        try:
            return self._request("POST", path, payload).get(url_key, "")
        except ForgeError as error:
            if error.status in (409, 422) and "already exist" in str(error).lower():
                return ""
            raise

    def headers(self) -> dict[str, str]:
        """Authentication headers."""
        raise NotImplementedError

    def open_merge_request(self, branch: str, title: str, body: str) -> str:
        """Open a merge request from `branch` into the base branch; return its web address."""
        raise NotImplementedError


class GitHub(Forge):
    """GitHub pull requests (POST /repos/{owner}/{repo}/pulls)."""

    name = "GitHub"

    def headers(self) -> dict[str, str]:
        """Bearer token and the API version GitHub asks clients to pin."""
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28"}

    def open_merge_request(self, branch: str, title: str, body: str) -> str:
        """Open a pull request; return its html_url."""
        return self._create(f"/repos/{self.repository}/pulls",
                            {"title": title, "head": branch, "base": self.base_branch,
                             "body": body, "maintainer_can_modify": True}, "html_url")


class GitLab(Forge):
    """GitLab merge requests (POST /projects/{id}/merge_requests)."""

    name = "GitLab"

    def headers(self) -> dict[str, str]:
        """GitLab's private-token header."""
        return {"PRIVATE-TOKEN": self.token}

    def open_merge_request(self, branch: str, title: str, body: str) -> str:
        """Open a merge request that deletes its branch once merged; return its web_url."""
        project = urllib.parse.quote(self.repository, safe="")
        return self._create(f"/projects/{project}/merge_requests",
                            {"source_branch": branch, "target_branch": self.base_branch,
                             "title": title, "description": body, "remove_source_branch": True},
                            "web_url")


class Gitea(Forge):
    """Gitea and Forgejo pull requests (POST /repos/{owner}/{repo}/pulls)."""

    name = "Gitea"

    def headers(self) -> dict[str, str]:
        """Gitea's token header."""
        return {"Authorization": f"token {self.token}", "Accept": "application/json"}

    def open_merge_request(self, branch: str, title: str, body: str) -> str:
        """Open a pull request; return its html_url."""
        return self._create(f"/repos/{self.repository}/pulls",
                            {"title": title, "head": branch, "base": self.base_branch,
                             "body": body}, "html_url")


KINDS = {"github": GitHub, "gitlab": GitLab, "gitea": Gitea, "forgejo": Gitea}


def from_env(environ: Mapping[str, str] | None = None) -> Forge | None:
    """The forge configured in the environment, or None when FORGE is unset."""
    env = os.environ if environ is None else environ
    kind = env.get("FORGE", "").strip().lower()
    if not kind:
        return None
    if kind not in KINDS:
        raise ForgeError(f"FORGE inconnu « {kind} » (attendu : {', '.join(KINDS)})")
    api_url = env.get("FORGE_API_URL") or DEFAULT_API.get(kind)
    missing = [name for name, value in (("FORGE_API_URL", api_url),
                                        ("FORGE_REPOSITORY", env.get("FORGE_REPOSITORY")),
                                        ("FORGE_TOKEN", env.get("FORGE_TOKEN"))) if not value]
    if missing:
        raise ForgeError(f"réglages manquants pour {kind} : {', '.join(missing)}")
    return KINDS[kind](api_url, env["FORGE_REPOSITORY"], env["FORGE_TOKEN"],
                       env.get("SUBMIT_BASE_BRANCH", "main"))
