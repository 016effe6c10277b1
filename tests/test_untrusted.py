"""A pull request's repository is untrusted: it cannot make versionbot write elsewhere, lose data,
crash or hang (issue: untrusted input). Each test is one way an author or a careless user tried."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.gitrepo import GitRepo, clean_env

MINIMAL = """\
[units.app]
version-file = "{version_file}"
inputs = ["src/"]
"""


def repository(tmp_path: Path, version_file: str = "src/version.json") -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("versionbot.toml", MINIMAL.format(version_file=version_file))
    repo.write("src/app.py", "print('app')\n")
    repo.commit("initial")
    return repo


# Writes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version_file", "fragment"),
    [
        (".git/hooks/pre-commit", "must end in .json"),
        (".git/hooks/pre-commit.json", "lies in a .git folder"),
        ("sub/.GIT/config.json", "lies in a .git folder"),
        ("sub/.git./x.json", "lies in a .git folder"),
        ("a\\u0000b.json", "control character"),
        ("a\\nb.json", "control character"),
        ("../outside.json", "`..`"),
    ],
)
def test_version_files_can_never_name_git_files(
    tmp_path: Path, run: Run, version_file: str, fragment: str
) -> None:
    repo = repository(tmp_path, version_file)
    hook = repo.path / ".git/hooks/pre-commit"
    result = run(repo, "bump")
    assert result.code == 2
    assert "units.app.version-file" in result.err
    assert fragment in result.err
    assert not hook.exists()
    assert "\n" not in result.err.rstrip("\n")


def test_a_committed_link_to_a_folder_outside_is_never_written_through(tmp_path: Path, run: Run) -> None:
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / ".bashrc.json").write_text("precious\n")
    repo = repository(tmp_path, "home/.bashrc.json")
    (repo.path / "home").symlink_to(outside)
    repo.commit("a link to a folder outside")
    result = run(repo, "bump")
    assert result.code == 2
    assert "home is a symbolic link; versionbot never writes through one" in result.err
    assert (outside / ".bashrc.json").read_text() == "precious\n"
    (outside / ".bashrc.json").unlink()
    assert run(repo, "bump").code == 2  # nor when the target does not exist yet
    assert sorted(os.listdir(outside)) == []


def test_the_hook_never_writes_through_a_link(tmp_path: Path, run: Run) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    repo = repository(tmp_path, "out/version.json")
    (repo.path / "out").symlink_to(outside)
    repo.git("add", "-A")
    result = run(repo, "hook", "bump")
    assert result.code == 2
    assert "symbolic link" in result.err
    assert os.listdir(outside) == []


@pytest.mark.parametrize(
    "content", ['{"name": "app", "version": "1.0.0"}\n', "not json at all\n", '["a", "list"]\n']
)
def test_a_file_that_is_not_a_version_file_is_never_replaced(tmp_path: Path, run: Run, content: str) -> None:
    repo = repository(tmp_path, "package.json")
    repo.write("package.json", content)
    repo.commit("a unit whose version-file names package.json")
    check = run(repo, "check")
    assert check.code == 1
    assert "package.json: it is not a version file" in check.out
    bump = run(repo, "bump")
    assert bump.code == 2
    assert "never overwrites" in bump.err
    assert repo.read("package.json") == content


def test_a_version_file_that_is_a_folder_says_so(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path, "src/version.json")
    repo.write("src/version.json/keep.txt", "a folder named like a file\n")
    repo.commit("a folder")
    check = run(repo, "check")
    assert check.code == 1
    assert "src/version.json: it is a folder, not a file" in check.out
    assert run(repo, "bump").code == 2


def test_bump_of_the_index_keeps_unstaged_edits_of_a_version_file(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path)
    assert run(repo, "bump").code == 0
    repo.commit("version 1")
    repo.write("src/app.py", "print('changed')\n")
    repo.git("add", "src/app.py")
    edited = repo.read("src/version.json").replace('"unit"', '"note": "my edit",\n  "unit"')
    repo.write("src/version.json", edited)
    result = run(repo, "bump", "--head", "index")
    assert result.code == 2
    assert "unstaged edits" in result.err
    assert repo.read("src/version.json") == edited


def test_a_run_cleans_up_what_a_killed_run_left(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    leftover = repo.write(f"src/.version.json.versionbot-{int(dead.stdout)}-0badc0de.tmp", "{")
    assert run(repo, "bump").code == 0
    assert not leftover.exists()
    assert list(repo.read_json("src/version.json")["inputs"]) == ["src/app.py"]


# Bounded input -------------------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_named_not_a_crash(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path)
    (repo.path / os.fsdecode(b"src/caf\xe9.txt")).write_bytes(b"latin-1 name\n")
    repo.commit("a latin-1 file name")
    result = run(repo, "check")
    assert result.code == 2
    assert "src/caf\\xe9.txt: an input file of unit app whose name is not UTF-8" in result.err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"format": 1, "unit": "app", "version": ' + "9" * 5000 + ', "inputs_hash": "x"}', "5000 digits"),
        ('{"inputs_hash": "x", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}", "levels deep"),
        (
            '{"format": 1, "unit": "app", "version": 1, "inputs": {}, "inputs_hash": "x", "\\ud800": 1}',
            "surrogate",
        ),
        ('{"format": 1, "unit": "app", "version": 1, "inputs": {}, "inputs_hash": "x", "n": NaN}', "NaN"),
        (
            '{"format": 1, "unit": "app", "version": 1, "inputs": {}, "inputs_hash": "x", "n": 1e999}',
            "too large",
        ),
        ('{"format": 1, "version": 1, "inputs": {}, "inputs_hash": "x"}', '"unit" is missing'),
    ],
    ids=["huge-integer", "deep-array", "lone-surrogate", "nan", "infinity", "no-unit"],
)
def test_hostile_version_files_are_findings_and_are_rewritten_as_valid_json(
    tmp_path: Path, run: Run, content: str, fragment: str
) -> None:
    repo = repository(tmp_path)
    repo.write("src/version.json", content)
    repo.commit("a hostile version file")
    check = run(repo, "check")
    assert check.code == 1
    assert "invalid-file" in check.out
    assert fragment in check.out
    assert run(repo, "bump").code == 0
    json.loads(repo.read("src/version.json"))  # strict: no NaN, no surrogate
    assert run(repo, "check").code == 0


def test_deep_folders_and_a_deep_version_file_path(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path, "/".join(["v"] * 1000) + "/version.json")
    os.chdir(repo.path)  # 1,100 folders take more than PATH_MAX from the root: relative paths
    try:
        deep = Path("src", *["d"] * 1100)
        for part in deep.parts:
            os.makedirs(part, exist_ok=True)
            os.chdir(part)
        Path("leaf.txt").write_text("deep\n")
    finally:
        os.chdir(tmp_path)
    repo.commit("1,100 nested folders")
    try:
        assert run(repo, "check").code == 1  # missing-file, not a RecursionError
        assert run(repo, "bump").code == 0
        assert run(repo, "check").code == 0
    finally:  # shutil.rmtree, which pytest cleans up with, recurses once per folder
        remove_deep(repo.path / "src" / "d")
        remove_deep(repo.path / "v")
    too_deep = repository(tmp_path / "other", "/".join(["v"] * 3000) + "/version.json")
    result = run(too_deep, "check")
    assert result.code == 2
    assert "characters long; keep it under 4096" in result.err


def remove_deep(top: Path) -> None:
    """Remove a chain of folders of any depth, deepest first, with paths relative to each folder."""
    os.chdir(top)
    depth = 0
    while True:
        inner = [name for name in os.listdir(".") if os.path.isdir(name)]
        if not inner:
            break
        os.chdir(inner[0])
        depth += 1
    for _ in range(depth):
        for name in os.listdir("."):
            os.unlink(name)
        os.chdir("..")
        for name in os.listdir("."):
            if os.path.isdir(name):
                os.rmdir(name)
    os.chdir(top.parent)
    shutil.rmtree(top)


def test_a_dependency_chain_of_a_thousand_units(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "repo")
    lines = []
    for index in range(1200):
        depends = f'\ndepends-on = ["u{index - 1}"]' if index else ""
        lines.append(f'[units.u{index}]\nversion-file = "v/u{index}.json"\ninputs = ["src/"]{depends}\n')
    repo.write("versionbot.toml", "\n".join(lines))
    repo.write("src/a.txt", "a\n")
    repo.commit("a long chain")
    assert run(repo, "bump").code == 0
    assert repo.read_json("v/u1199.json")["depends"] == {"u1198": 1}


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("x = " + "9" * 5000 + "\n", "cannot read a value"),
        ("\ufeff" + MINIMAL.format(version_file="src/version.json"), None),  # a BOM is fine
        ("[tool]\nversionbot = 5\n", "tool.versionbot must be a table"),
        (MINIMAL.format(version_file="v.json") + "values = { big = " + "9" * 30 + " }\n", "64-bit"),
        (
            MINIMAL.format(version_file="v.json") + "values = { x = " + "[" * 40 + "]" * 40 + " }\n",
            "nests more than 32",
        ),
    ],
    ids=["deep-array", "huge-integer", "bom", "tool-not-a-table", "int64", "deep-value"],
)
def test_hostile_configurations_end_in_a_named_error(
    tmp_path: Path, run: Run, toml: str, fragment: str | None
) -> None:
    repo = GitRepo(tmp_path / "repo")
    name = "pyproject.toml" if toml.startswith("[tool]") else "versionbot.toml"
    repo.write(name, toml)
    repo.write("src/app.py", "x\n")
    repo.commit("hostile config")
    result = run(repo, "check")
    if fragment is None:
        assert result.code == 1, result.err
        return
    assert result.code == 2, result.err
    assert fragment in result.err


def test_an_empty_base_is_an_error_not_ignored(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path)
    with pytest.raises(SystemExit) as caught:
        run(repo, "check", "--base", "")
    assert caught.value.code == 2


# Special files and the object store -------------------------------------------------------------


@pytest.mark.parametrize("command", [("check",), ("status",), ("bump",), ("check", "--head", "index")])
def test_a_pipe_in_place_of_a_tracked_file_never_hangs(tmp_path: Path, command: tuple[str, ...]) -> None:
    repo = repository(tmp_path)
    repo.versionbot("bump")
    repo.commit("version 1")
    (repo.path / "src/app.py").unlink()
    os.mkfifo(repo.path / "src/app.py")
    os.mkfifo(repo.path / "src/version.json.fifo")
    result = repo.versionbot(*command, timeout=60)
    assert result.returncode in (0, 1, 2)
    if command != ("check", "--head", "index"):  # the index still holds the file
        assert result.returncode == 2
        assert "src/app.py is a named pipe in the working tree" in result.stderr


def test_a_partial_clone_fetches_the_blobs_it_needs(tmp_path: Path, run: Run) -> None:
    origin = repository(tmp_path)
    origin.versionbot("bump")
    origin.commit("version 1")
    origin.write("src/app.py", "print('two')\n")
    origin.commit("change")
    origin.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", f"file://{origin.path}", str(clone)],
        env=clean_env(),
        check=True,
    )
    cloned = GitRepo.__new__(GitRepo)
    cloned.path = clone
    cloned.git("checkout", "-q", "main", "--", "versionbot.toml")
    result = run(cloned, "check", "--base", "HEAD~1", "--head", "HEAD")
    assert result.code == 1, result.err  # the base's blob was fetched: the change is seen
    assert "needs-bump" in result.out


def test_a_read_only_check_never_blocks_git_add(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    repo.versionbot("bump")
    repo.commit("version 1")
    stop = threading.Event()

    def check_in_a_loop() -> None:
        while not stop.is_set():
            repo.versionbot("check", "--head", "index")

    checker = threading.Thread(target=check_in_a_loop)
    checker.start()
    failures = []
    try:
        for index in range(150):
            repo.write("src/app.py", f"print({index})\n")
            added = subprocess.run(
                ["git", "add", "src/app.py"], cwd=repo.path, env=clean_env(), capture_output=True, check=False
            )
            if added.returncode != 0:
                failures.append(added.stderr)
    finally:
        stop.set()
        checker.join()
    assert failures == []
    assert not (repo.path / ".git/index.lock").exists()


@pytest.mark.slow
def test_a_large_committed_input_is_streamed(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    line = b"0123456789abcdef" * 63 + b"\r\n"  # text with CRLF: normalised while streamed
    (repo.path / "src/big.txt").write_bytes(line * (96 << 10))  # 96 MiB
    repo.commit("a large input")
    (repo.path / "src/big.txt").unlink()  # not in the checkout: read from the object store
    script = (  # VmHWM, unlike ru_maxrss, starts anew at exec: it is this process's own peak
        "import re, sys\n"
        "from versionbot.cli import main\n"
        "code = main(['check', '--head', 'HEAD'])\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=repo.path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # missing-file
    peak_kib = int(result.stderr.strip().splitlines()[-1])
    assert peak_kib < 80 * 1024, f"peak {peak_kib} KiB for a 96 MiB input"


def test_git_dir_and_work_tree_from_the_environment(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    repo.versionbot("bump")
    repo.commit("version 1")
    elsewhere = GitRepo(tmp_path / "elsewhere")  # the current directory is another repository
    elsewhere.write("versionbot.toml", "not = 'this one'\n")
    env = clean_env(GIT_DIR=str(repo.path / ".git"), GIT_WORK_TREE=str(repo.path))
    repo.write("src/app.py", "print('changed')\n")
    result = subprocess.run(
        [sys.executable, "-m", "versionbot", "check", "--base", "HEAD", "--format", "json"],
        cwd=elsewhere.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["units"][0]["status"] == "needs-bump"


@pytest.mark.parametrize(
    ("pyproject", "fragment"),
    [
        (b"\xff\xfe[project]\n", "not UTF-8"),
        (b"[[[\n", "invalid TOML"),
        (b"x = " + b"[" * 3000 + b"]" * 3000 + b"\n", "invalid TOML"),
    ],
    ids=["not-utf8", "not-toml", "deep"],
)
def test_init_names_a_pyproject_it_cannot_read(
    tmp_path: Path, run: Run, pyproject: bytes, fragment: str
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("uv.lock", "version = 1\n")
    repo.write("pyproject.toml", pyproject)
    result = run(repo, "init")
    assert result.code == 2
    assert f"pyproject.toml: {fragment}" in result.err
    assert (repo.path / "pyproject.toml").read_bytes() == pyproject


def test_init_writes_into_tool_tables_split_by_another_table(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("uv.lock", "version = 1\n")
    repo.write(
        "pyproject.toml", '[tool.black]\nline-length = 99\n\n[project]\nname = "p"\n\n[tool.ruff]\nx = 1\n'
    )
    assert run(repo, "init").code == 0
    text = repo.read("pyproject.toml")
    assert text.startswith("[tool.black]\nline-length = 99\n")
    assert '[project]\nname = "p"\n\n[tool.ruff]\nx = 1\n' in text
    assert run(repo, "bump").code == 0


# Found by attacking the hardened code ------------------------------------------------------------


def test_an_unterminated_string_in_a_version_file_is_read_in_linear_time(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    repo.write("src/version.json", '"' + '\\"' * 1_500_000)  # 3 MB: hours for a quadratic scan
    repo.commit("a hostile version file")
    result = repo.versionbot("check", timeout=60)
    assert result.returncode == 1
    assert "invalid-file" in result.stdout


@pytest.mark.parametrize("base", ["HEAD^{/^(a|a)+$}", "main@{1}", ":/x", "main~1", "-x", "a..b", "a b"])
def test_a_configured_base_is_a_branch_name_not_a_revision_expression(
    tmp_path: Path, run: Run, base: str
) -> None:
    repo = repository(tmp_path)
    repo.write("versionbot.toml", f"base = {json.dumps(base)}\n" + MINIMAL.format(version_file="v.json"))
    repo.commit("a base that would search every commit message")
    result = run(repo, "check")
    assert result.code == 2
    assert "base: " in result.err
    assert "is not a branch name" in result.err


def test_requires_with_a_huge_version_is_a_named_error(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path)
    repo.write("versionbot.toml", f'requires = ">={"9" * 5000}"\n' + MINIMAL.format(version_file="v.json"))
    repo.commit("huge requires")
    result = run(repo, "check")
    assert result.code == 2
    assert "requires: " in result.err


def test_init_dry_run_shows_only_what_it_adds(tmp_path: Path, run: Run) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/uv.lock", "version = 1\n")
    repo.write(
        "pyproject.toml", '[project]\nname = "x"\ndescription = """\n::warning::pwned\n::add-mask::x\n"""\n'
    )
    result = run(repo, "init", "--dry-run")
    assert result.code == 0
    assert "pwned" not in result.out
    assert "[tool.versionbot.units.app]" in result.out
    assert not any(line.lstrip().startswith("::") for line in result.out.splitlines())


@pytest.mark.parametrize("name", ["pyproject.toml", "versionbot.toml"])
def test_a_configuration_that_is_a_link_is_never_read(tmp_path: Path, run: Run, name: str) -> None:
    secret = tmp_path / "credentials.toml"
    secret.write_text('[registry]\ntoken = "s3cr3t"\n')
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/uv.lock", "version = 1\n")
    (repo.path / name).symlink_to(secret)
    for command in (("check",), ("init", "--dry-run")):
        result = run(repo, *command)
        assert result.code == 2, command
        assert "is a symbolic link" in result.err or "exists already" in result.err
        assert "s3cr3t" not in result.out + result.err
        assert "registry" not in result.out + result.err


def test_bump_leaves_committed_files_that_look_like_its_temporary_files(tmp_path: Path, run: Run) -> None:
    repo = repository(tmp_path)
    precious = ".version.json.versionbot-4194000-abcd1234.tmp"
    repo.write(f"src/{precious}", "precious\n")
    repo.write("src/.version.json.versionbot-99999999999999999999-abcd1234.tmp", "huge pid\n")
    repo.commit("files named like temporary files")
    assert run(repo, "bump").code == 0
    assert repo.read(f"src/{precious}") == "precious\n"
    assert repo.git("status", "--porcelain", "--", f"src/{precious}") == ""


def test_a_version_file_inside_a_submodule_is_refused(tmp_path: Path, run: Run) -> None:
    inner = GitRepo(tmp_path / "inner")
    inner.write("README", "a submodule\n")
    inner.commit("inner")
    repo = repository(tmp_path, "sub/version.json")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "sub")
    repo.commit("a submodule")
    result = run(repo, "bump")
    assert result.code == 2
    assert "sub is another repository's work tree" in result.err
    assert not (repo.path / "sub/version.json").exists()


def test_a_long_string_in_a_version_file_costs_memory_in_proportion() -> None:
    """Ten megabytes of escapes parse within a few times their size, not a hundred times."""
    import tracemalloc

    from versionbot import safejson

    text = '{"note": "' + "\\n" * 5_000_000 + '"}'
    tracemalloc.start()
    try:
        assert len(safejson.loads(text)["note"]) == 5_000_000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * len(text)


def test_a_version_file_over_the_limit_is_no_version_file(bumped: GitRepo, run: Run) -> None:
    from versionbot.records import MAX_SIZE

    huge = b'{"inputs_hash": "' + b"x" * (MAX_SIZE + 1) + b'"}'
    bumped.write("req/fw/version.json", huge)
    result = run(bumped, "check", "--format", "json")
    fw = next(unit for unit in json.loads(result.out)["units"] if unit["unit"] == "fw")
    assert fw["status"] == "invalid-file"
    assert "larger than 64 MiB" in fw["message"]
    assert run(bumped, "bump").code == 2  # never overwritten
