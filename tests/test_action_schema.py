"""action.yml and the workflows: valid for GitHub (SchemaStore's schemas, offline), no input ever
interpolated into a shell script, and the action's own step script run as the runner would run it."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.github_server import FakeGitHub
from tests.gitrepo import GitRepo, clean_env
from tests.octokit import webhook_example
from versionbot import render

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
REPO = "octo/project"


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path)


def steps_of(document: Any) -> list[dict[str, Any]]:
    if "runs" in document:
        steps: list[dict[str, Any]] = document["runs"]["steps"]
        return steps
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-actions", ACTION), *(("vendor.github-workflows", path) for path in WORKFLOWS)],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_schema(schema: str, path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflows_exist() -> None:
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "versionbot-example.yml"}


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda path: path.name)
def test_no_expression_inside_a_script(path: Path) -> None:
    """`${{ }}` in `run:` is pasted into the script before bash reads it: script injection."""
    for step in steps_of(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name", step)


def test_action_interface() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "github-token",
        "config",
        "working-directory",
        "comment",
        "fix",
        "python-version",
    }
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["comment"]["default"] == "true"
    assert action["inputs"]["fix"]["default"] == "false"  # pushing is asked for, never assumed
    outputs = {name: output["value"] for name, output in action["outputs"].items()}
    assert outputs == {
        name: f"${{{{ steps.versionbot.outputs.{name} }}}}"
        for name in ("ok", "units", "bumped", "deploy", "fixed")
    }
    install = next(step for step in steps_of(action) if step.get("name") == "Install versionbot")
    assert '"$GITHUB_ACTION_PATH[github]"' in install["run"]


def test_example_workflow_permissions_and_checkout() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "versionbot-example.yml")
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert {"pull_request", "merge_group", "push"} <= set(workflow["on"])
    steps = steps_of(workflow)
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(step.get("uses") == "./" for step in steps)


# the action's "Check versions" step, run by bash as the runner runs it --------------------------


def test_every_action_used_is_pinned_by_commit() -> None:
    """A tag can be moved to other code; a commit id cannot."""
    uses = [step["uses"] for step in steps_of(load(ACTION)) if "uses" in step]
    assert uses
    for used in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", used), used


def test_python_never_runs_with_the_checkout_on_its_path() -> None:
    """`python -m` puts the current folder first on sys.path, and PYTHONPATH may point into the
    checkout: a pull request's `pip/` or `venv/` folder would run in place of the real one."""
    for step in steps_of(load(ACTION)):
        script = step.get("run", "")
        runs_python = [line for line in script.splitlines() if re.search(r"python\S*\"? ", line)]
        for line in runs_python:
            assert " -I -m " in line, line
        if step.get("name") == "Install versionbot":
            assert script.splitlines()[0] == 'cd "$RUNNER_TEMP"'


@pytest.fixture
def runner(tmp_path: Path) -> Path:
    """RUNNER_TEMP with the virtual environment the install step makes, holding this versionbot."""
    temp = tmp_path / "runner-temp"
    bin_dir = temp / "versionbot-venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    console = bin_dir / "versionbot"  # as pip writes a console script
    script_text = "import sys\nfrom versionbot.__main__ import run\nsys.exit(run())\n"
    console.write_text(f"#!{sys.executable}\n{script_text}")
    for script in (python, console):
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return temp


@pytest.mark.parametrize("case", [("true", 1), ("false", 0)], ids=["comment", "no-comment"])
def test_the_action_step_runs_versionbot_ci(
    bumped: GitRepo, fake_github: FakeGitHub, runner: Path, tmp_path: Path, case: tuple[str, int]
) -> None:
    comment, comments = case
    base = bumped.head()
    bumped.branch("feature")
    bumped.write("req/fw/pylock.fw.toml", "numpy 2.0\n")
    head = bumped.commit("unbumped")
    bumped.git("checkout", "-q", "--detach", base)
    bumped.git("merge", "-q", "--no-ff", "-m", "merge", "feature")
    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, 7, head_sha=head, base_sha=base)
    payload = webhook_example("pull_request", "synchronize")
    payload["pull_request"].update(number=7)
    payload["pull_request"]["base"].update(sha=base, ref="main")
    payload["pull_request"]["head"]["sha"] = head
    (tmp_path / "event.json").write_text(json.dumps(payload))

    done = run_step(
        bumped,
        runner,
        tmp_path,
        fake_github,
        VERSIONBOT_CONFIG="versionbot.toml",
        VERSIONBOT_COMMENT=comment,
        VERSIONBOT_FIX="commit",
        GITHUB_SHA=bumped.head(),
    )

    assert done.returncode == 1, done.stderr
    # `fix: commit` reaches `versionbot ci`: the example payload's head is another repository's
    assert "no fix pushed: the pull request comes from a fork" in done.stdout
    assert "The fix as a patch over the branch, for git apply" in (tmp_path / "summary.md").read_text()
    assert re.search(
        r"^::error file=req/fw/version.json,title=versionbot%3A fw \(needs-bump\)::", done.stdout, re.M
    )
    assert (
        "versionbot --config versionbot.toml bump --base origin/main" in (tmp_path / "summary.md").read_text()
    )
    assert len(fake_github.comments(REPO, 7)) == comments
    if comments:
        assert fake_github.comments(REPO, 7)[0].body.startswith(render.MARKER)
    else:
        assert fake_github.requests == []


def test_the_action_step_loads_no_code_from_the_checkout(
    bumped: GitRepo, fake_github: FakeGitHub, runner: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    planted = f"open({str(marker)!r}, 'w').close()\nraise SystemExit('pwned')\n"
    bumped.write("versionbot/__init__.py", planted)  # in the working directory
    bumped.write("shadow/pygit2.py", planted)  # on a PYTHONPATH the workflow set
    bumped.commit("plant modules")
    payload = webhook_example("push")
    payload.update(before=bumped.head(), after=bumped.head(), ref="refs/heads/main")
    (tmp_path / "event.json").write_text(json.dumps(payload))

    done = run_step(
        bumped,
        runner,
        tmp_path,
        fake_github,
        VERSIONBOT_CONFIG="",
        VERSIONBOT_COMMENT="false",
        GITHUB_EVENT_NAME="push",
        PYTHONPATH=str(bumped.path / "shadow"),
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "pwned" not in done.stdout + done.stderr
    assert not marker.exists()


def test_the_action_step_refuses_a_bad_comment_input(
    bumped: GitRepo, fake_github: FakeGitHub, runner: Path, tmp_path: Path
) -> None:
    (tmp_path / "event.json").write_text("{}")
    done = run_step(bumped, runner, tmp_path, fake_github, VERSIONBOT_CONFIG="", VERSIONBOT_COMMENT="yes")
    assert done.returncode == 2
    assert done.stdout == "::error title=versionbot::the comment input must be true or false\n"


def test_the_action_step_refuses_a_bad_fix_input(
    bumped: GitRepo, fake_github: FakeGitHub, runner: Path, tmp_path: Path
) -> None:
    (tmp_path / "event.json").write_text("{}")
    done = run_step(bumped, runner, tmp_path, fake_github, VERSIONBOT_CONFIG="", VERSIONBOT_FIX="push")
    assert done.returncode == 2
    assert done.stdout == "::error title=versionbot::the fix input must be false or commit\n"


def run_step(
    repo: GitRepo, runner: Path, tmp_path: Path, server: FakeGitHub, **inputs: str
) -> subprocess.CompletedProcess[str]:
    step = next(step for step in steps_of(load(ACTION)) if step.get("id") == "versionbot")
    assert set(step["env"]) == {"GITHUB_TOKEN", "VERSIONBOT_CONFIG", "VERSIONBOT_COMMENT", "VERSIONBOT_FIX"}
    job = {
        "RUNNER_TEMP": str(runner),
        "RUNNER_OS": "Linux",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_WORKSPACE": str(repo.path),
        **server.env(REPO),
    }
    # `inputs` may also override the event, or set what a workflow could (PYTHONPATH)
    defaults = {"VERSIONBOT_COMMENT": "true", "VERSIONBOT_FIX": "false"}  # as the runner passes them
    env = clean_env(**{**job, **defaults, **inputs})
    # The runner's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
