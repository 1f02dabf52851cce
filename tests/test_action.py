"""The composite GitHub Action (action.yml): its steps run here in a scratch repository.

Off GitHub, a `uses:` step (actions/setup-python) cannot run; every `run:` step runs as the
runner would run it (`bash --noprofile --norc -eo pipefail`), with `${{ inputs.* }}` and
`${{ github.action_path }}` filled in the way GitHub fills them. The check steps run with the `plan`
of the environment running the tests (this checkout, installed by the test command). The install
step really installs planner from this checkout into a fresh virtual environment: pip builds the
package, ten seconds or more that nothing can shorten, so that test is in the `integration` set
(`.ci/run` runs it; `python -m pytest -m integration`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitrepo import GitRepo

PROJECT = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures" / "check" / "summary"
PLAN = "---\nphase: 01-core\nplan: 01\ntype: execute\n---\n# Plan\n"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass(frozen=True)
class StepRun:
    name: str
    code: int
    output: str


def evaluate(expression: str, inputs: dict[str, str]) -> str | bool:
    """The few expressions action.yml uses: inputs.X, github.action_path, !cancelled(), X != ''."""
    expression = expression.strip()
    if expression == "!cancelled()":
        return True
    if expression.startswith("inputs.") and expression.endswith(" != ''"):
        return evaluate(expression.removesuffix(" != ''"), inputs) != ""
    if expression.startswith("inputs."):
        return inputs[expression.removeprefix("inputs.")]
    if expression == "github.action_path":
        return str(PROJECT)
    raise AssertionError(f"action.yml uses an expression this test does not know: {expression}")


def substitute(text: str, inputs: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda match: str(evaluate(match[1], inputs)), text)


def condition(step: dict[str, Any], inputs: dict[str, str]) -> bool:
    if "if" not in step:
        return True
    text = str(step["if"])
    inner = EXPRESSION.fullmatch(text)
    return bool(evaluate(inner[1] if inner else text, inputs))


def run_action(workspace: Path, bin_dir: Path, given: dict[str, str], *,
               install: bool = False) -> list[StepRun]:
    """Every step that runs off GitHub, in order, as a runner would: a failed step skips the
    later ones, except a step whose `if:` asks to run anyway."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    assert set(given) <= set(inputs), f"action.yml declares no input {set(given) - set(inputs)}: GitHub drops it"
    inputs.update(given)
    runs: list[StepRun] = []
    failed = False
    for step in ACTION["runs"]["steps"]:
        if "uses" in step or not condition(step, inputs):
            continue
        if step["name"] == "Install planner" and not install:
            continue
        if failed and "cancelled()" not in str(step.get("if", "")) and "always()" not in str(step.get("if", "")):
            continue
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach scripts through env:, never pasted into them"
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1",
               "GITHUB_WORKSPACE": str(workspace), "CI": "true"}
        env.update({key: substitute(str(value), inputs) for key, value in step.get("env", {}).items()})
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=workspace, env=env, capture_output=True, text=True, check=False,
                              stdin=subprocess.DEVNULL)
        runs.append(StepRun(step["name"], done.returncode, done.stdout + done.stderr))
        failed = failed or done.returncode != 0
    return runs


@pytest.fixture(scope="module")
def checkout_bin() -> Path:
    """The bin folder of the environment running the tests, where the test command's
    `pip install -e .` put `plan`: this checkout, as the install step would put it."""
    folder = Path(sys.executable).parent
    if not (folder / "plan").is_file():
        pytest.skip(f"no `plan` beside {sys.executable}: install the project (pip install -e '.[test]')")
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment where the action's install step put planner; its bin folder.

    Its dependencies are visible from the test environment (a .pth file), so pip installs only
    planner itself, offline."""
    home = tmp_path_factory.mktemp("action-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = [entry for entry in sys.path if entry.endswith("site-packages")]
    (Path(site) / "test-dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    workspace = tmp_path_factory.mktemp("action-install")
    (step,) = [run for run in run_action(workspace, home / "bin", {}, install=True)
               if run.name == "Install planner"]
    if step.code != 0 and "No matching distribution" in step.output:
        pytest.skip(f"planner's build requirements are not reachable offline: {step.output[-300:]}")
    assert step.code == 0, step.output
    assert (home / "bin" / "plan").is_file()
    located = subprocess.run([python, "-c", "import planner; print(planner.__file__)"], cwd=home,
                             capture_output=True, text=True, check=True).stdout
    assert located.startswith(str(home)), located  # the copy the action installed, not this checkout
    return home / "bin"


def scratch_repository(path: Path, summary: str) -> Path:
    repo = GitRepo.create(path)
    phase = "sub/.planning/phases/01-core"
    repo.commit("docs: plan", files={f"{phase}/01-01-PLAN.md": PLAN, f"{phase}/01-01-SUMMARY.md": summary})
    return path


def test_errors_become_annotations_and_fail_the_job(checkout_bin: Path, tmp_path: Path) -> None:
    workspace = scratch_repository(tmp_path / "repo", (FIXTURES / "NUM401-fail.md").read_text())
    check, render = run_action(workspace, checkout_bin, {"root": "sub"})
    assert check.name == "plan check" and check.code == 1
    assert "::error file=sub/.planning/phases/01-core/01-01-SUMMARY.md,line=7,title=NUM401::" in check.output
    assert render.name == "plan render --check" and render.code == 0  # runs after a failed check


def test_warnings_fail_only_with_strict(checkout_bin: Path, tmp_path: Path) -> None:
    workspace = scratch_repository(tmp_path / "repo", (FIXTURES / "TIM302-fail.md").read_text())
    lenient = run_action(workspace, checkout_bin, {"root": "sub"})
    assert [run.code for run in lenient] == [0, 0]
    assert "::warning file=sub/.planning/phases/01-core/01-01-SUMMARY.md" in lenient[0].output
    strict = run_action(workspace, checkout_bin, {"root": "sub", "strict": "true"})
    assert strict[0].code == 1


def test_a_strict_value_that_is_not_a_boolean_is_refused(checkout_bin: Path, tmp_path: Path) -> None:
    workspace = scratch_repository(tmp_path / "repo", (FIXTURES / "TIM302-fail.md").read_text())
    check = run_action(workspace, checkout_bin, {"root": "sub", "strict": "maybe"})[0]
    assert check.code == 2 and "::error title=planner::input strict must be true or false" in check.output


def test_a_missing_root_fails_with_one_line(checkout_bin: Path, tmp_path: Path) -> None:
    workspace = scratch_repository(tmp_path / "repo", (FIXTURES / "TIM302-fail.md").read_text())
    check = run_action(workspace, checkout_bin, {"root": "nowhere"})[0]
    assert check.code != 0 and "Traceback" not in check.output


@pytest.mark.integration
def test_the_install_step_puts_this_checkout_in_a_fresh_environment_and_its_plan_runs_the_checks(
        installed: Path, tmp_path: Path) -> None:
    # `installed` ran the install step and checked that `plan` and `import planner` come from the
    # new environment; the check steps then run with that copy
    workspace = scratch_repository(tmp_path / "repo", (FIXTURES / "NUM401-fail.md").read_text())
    check, render = run_action(workspace, installed, {"root": "sub"})
    assert (check.code, render.code) == (1, 0)
    assert "::error file=sub/.planning/phases/01-core/01-01-SUMMARY.md,line=7,title=NUM401::" in check.output


def test_readme_ci_section_uses_this_action() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use in CI and as a pre-commit hook", 1)[1]
    workflow = section.split("```yaml", 1)[1].split("```", 1)[0]
    steps = yaml.safe_load(workflow)["jobs"]["planning"]["steps"]
    ours = [step for step in steps if str(step.get("uses", "")).split("@")[0].endswith("/planner")]
    assert ours, "the README's workflow does not use the action"
    assert set(ours[0].get("with", {})) <= set(ACTION["inputs"])
