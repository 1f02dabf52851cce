"""Links from commit hashes to their pages, when the repository's `origin` is on a known host.

Read from the local git configuration (`git remote get-url origin`): never a network call. Only
github.com, gitlab.com and bitbucket.org are known; another host, a local path or no `origin`
gives no links. Credentials in a URL (`https://user:token@...`) never reach a document.
"""

from __future__ import annotations

import re
from pathlib import Path

# Each host's page for one commit, after https://HOST/OWNER/REPO
_COMMIT_PAGE = {"github.com": "/commit/", "gitlab.com": "/-/commit/", "bitbucket.org": "/commits/"}
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>[^\s]+)$")  # git@host:o/r.git
_URL = re.compile(r"^(?:https?|ssh|git|git\+ssh|ssh\+git)://(?:[^@/\s]+@)?(?P<host>[\w.-]+)(?::\d+)?/"
                  r"(?P<path>[^\s?#]+)$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")


def commit_url_prefix(remote: str | None) -> str | None:
    """`https://github.com/OWNER/REPO/commit/` for a remote URL (https or ssh form); None when
    the host is not GitHub, GitLab or Bitbucket or the URL does not name a repository."""
    if not remote:
        return None
    text = remote.strip()
    match = _URL.match(text) or _SCP_LIKE.match(text)
    if match is None:
        return None
    host = match["host"].lower().removeprefix("www.")
    if host == "altssh.bitbucket.org":
        host = "bitbucket.org"
    if host.startswith("ssh.") and host[4:] in _COMMIT_PAGE:  # ssh.github.com (port 443)
        host = host[4:]
    page = _COMMIT_PAGE.get(host)
    path = match["path"].strip("/").removesuffix(".git")
    segments = path.split("/")
    if page is None or not all(_SEGMENT.match(part) and part not in {".", ".."} for part in segments):
        return None
    if len(segments) < 2 or (host != "gitlab.com" and len(segments) != 2):  # GitLab nests groups
        return None
    return f"https://{host}/{path}{page}"


def repository_links(root: Path) -> dict[str, str | None]:
    """`{"commit": PREFIX}` for templates (PREFIX + full hash is a commit's page), or None."""
    from planner.evidence import git_worktree

    return {"commit": commit_url_prefix(git_worktree.origin_url(root))}


def link_range(git_range: str | None, prefix: str | None) -> str | None:
    """`A..B` with each end linked to its commit (an end like `(root)` stays text), in Markdown;
    the range as it is without a prefix."""
    if git_range is None or prefix is None:
        return git_range
    ends = git_range.split("..")
    return "..".join(f"[`{end}`]({prefix}{end})" if re.fullmatch(r"[0-9a-f]{4,64}", end)
                     else f"`{end}`" for end in ends)
