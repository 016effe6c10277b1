"""A commit pushed through the Git Data API (blobs, a tree, a commit, then the branch moved on),
so GitHub signs it and shows it as verified; never a force push. See __init__.py for time and
retries: every write here is safe to send twice (the same content is the same object, and moving
a branch to where it already is changes nothing)."""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import requests
from github import GithubException, InputGitTreeElement
from github.GitCommit import GitCommit

from versionbot.github.client import Client, GitHubError, write
from versionbot.github.explain import Request, explain

T = TypeVar("T")

_MAY_NOT_PUSH = (
    "the token may not push to the branch: grant the job `permissions: contents: write` (pull "
    "requests from forks get a read-only GITHUB_TOKEN, and are never pushed to)"
)


class BranchMoved(GitHubError):
    """The branch is not where the judged commit is, or moved while the commit was made."""


@dataclass(frozen=True)
class Pushed:
    sha: str


def push_commit(
    client: Client,
    repository: str,
    *,
    branch: str,
    expected: str,
    tree_from: str,
    parents: Sequence[str],
    files: Mapping[str, tuple[int, bytes | None]],
    message: str,
) -> Pushed:
    """Commit `files` (path -> (mode, content; None removes it)) over the tree of `tree_from`, with
    `parents`, and move `branch` there, only from `expected` and only as a fast-forward."""
    repo = client.github.get_repo(repository)
    path = f"/repos/{repository}/git"
    ref = repo.get_git_ref(f"heads/{branch}")
    request = Request(
        f"GET {path}/ref/heads/{branch}",
        forbidden="the token may not read the repository: grant the job `permissions: contents: write`",
        missing="the branch no longer exists (was it deleted or renamed meanwhile?)",
    )
    try:
        current = ref.object.sha
        if current != expected:
            raise BranchMoved(
                f"{branch} is at {current[:12]} now, not at the judged {expected[:12]}: it moved "
                "meanwhile, and the run for its new head judges that"
            )
        request = Request(f"GET {path}/commits/{tree_from}", request.forbidden, "the commit is not on GitHub")
        commits: dict[str, GitCommit] = {}
        for sha in dict.fromkeys([tree_from, *parents]):
            commits[sha] = repo.get_git_commit(sha)
        elements = []
        for name, (mode, data) in sorted(files.items()):
            if data is None:
                elements.append(InputGitTreeElement(name, f"{mode:06o}", "blob", sha=None))
                continue
            request = Request(f"POST {path}/blobs", _MAY_NOT_PUSH, "the repository was not found")
            blob = _written(functools.partial(repo.create_git_blob, _base64(data), "base64"), client)
            elements.append(InputGitTreeElement(name, f"{mode:06o}", "blob", sha=blob.sha))
        request = Request(f"POST {path}/trees", _MAY_NOT_PUSH, "the repository was not found")
        tree = _written(lambda: repo.create_git_tree(elements, commits[tree_from].tree), client)
        request = Request(f"POST {path}/commits", _MAY_NOT_PUSH, "the repository was not found")
        parent_commits = [commits[sha] for sha in parents]
        commit = _written(lambda: repo.create_git_commit(message, tree, parent_commits), client)
        request = Request(f"PATCH {path}/refs/heads/{branch}", _MAY_NOT_PUSH, "the branch no longer exists")
        try:
            _written(lambda: ref.edit(commit.sha, force=False), client)
        except GithubException as error:
            if error.status == 422:  # "Update is not a fast forward": someone pushed meanwhile
                raise BranchMoved(
                    f"{branch} moved while versionbot made its commit; nothing was overwritten, and "
                    "the run for its new head judges that"
                ) from None
            raise
    except (GithubException, requests.RequestException) as error:
        raise GitHubError(explain(request, error, client)) from None
    return Pushed(commit.sha)


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _written(send: Callable[[], T], client: Client) -> T:
    """A write's answer, sent again after a transient failure."""
    answers: list[T] = []
    write(lambda: answers.append(send()), client.deadline)
    return answers[-1]
