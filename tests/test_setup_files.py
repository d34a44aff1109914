"""The set-up files agree with each other: locks, conda environment, Binder, Makefile, README and CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pins(path: Path) -> dict[str, str]:
    result = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-r")):
            continue
        assert "==" in line, f"{path.name}: {line!r} is not pinned with =="
        name, version = line.split("==")
        result[canonicalize_name(name)] = version
    return result


def conda_environment(path: Path) -> tuple[list[str], dict[str, str]]:
    conda, pip, in_pip = [], {}, False
    text = path.read_text()
    for line in text[text.index("dependencies:"):].splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("- pip:"):
            in_pip = True
            continue
        if in_pip and line.startswith("      - "):
            name, version = stripped[2:].split("==")
            pip[canonicalize_name(name)] = version
        elif line.startswith("  - ") and not stripped.startswith("- pip:"):
            in_pip = False
            conda.append(stripped[2:])
    return conda, pip


def test_binder_uses_the_same_environment_file():
    assert (ROOT / "binder" / "environment.yml").read_text() == (ROOT / "environment.yml").read_text()


def test_environment_yml_matches_the_pip_lock():
    lock = pins(ROOT / "requirements.txt")
    conda, pip = conda_environment(ROOT / "environment.yml")
    assert "python=3.11" in conda and "pip" in conda
    assert f"pytorch-cpu={lock['torch']}" in conda, "conda installs CPU-only torch at the locked version"
    assert len(conda) == 3, f"keep the conda part tiny (python, pip, pytorch-cpu): {conda}"
    expected = {name: version for name, version in lock.items() if name != "torch"}
    assert pip == expected


def test_torch_is_pinned_to_the_cpu_wheel_version():
    assert pins(ROOT / "requirements.txt")["torch"] == "2.13.0"
    assert '"torch==2.13.0"' in (ROOT / "pyproject.toml").read_text()


def test_dev_lock_extends_the_runtime_lock_without_overlap():
    text = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in text
    dev, runtime = pins(ROOT / "requirements-dev.txt"), pins(ROOT / "requirements.txt")
    assert not set(dev) & set(runtime)
    for tool in ("pytest", "nbval", "hypothesis", "playwright", "jupyter-repo2docker"):
        assert tool in dev


def test_site_lock_extends_the_runtime_lock_and_agrees_with_the_dev_lock():
    """make site installs requirements-site.txt alone; make test installs all three locks into one environment."""
    text = (ROOT / "requirements-site.txt").read_text()
    assert "-r requirements.txt" in text
    site, dev, runtime = (pins(ROOT / f"requirements{s}.txt") for s in ("-site", "-dev", ""))
    assert not set(site) & set(runtime)
    assert {name: site[name] for name in set(site) & set(dev)} == {name: dev[name] for name in set(site) & set(dev)}
    for tool in ("sphinx", "myst-nb", "sphinx-book-theme"):
        assert tool in site


def test_pyproject_ranges_admit_the_locked_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = pins(ROOT / "requirements.txt") | pins(ROOT / "requirements-dev.txt") | pins(ROOT / "requirements-site.txt")
    extras = project["optional-dependencies"]
    for spec in project["dependencies"] + extras["dev"] + extras["site"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in locked, f"{name} is in pyproject.toml but not in a lock: run make lock"
        assert req.specifier.contains(locked[name], prereleases=True), f"{name}=={locked[name]} outside {req.specifier}"


def test_installed_versions_are_the_locked_ones():
    from importlib.metadata import version

    locks = pins(ROOT / "requirements.txt") | pins(ROOT / "requirements-dev.txt") | pins(ROOT / "requirements-site.txt")
    for name, pinned in locks.items():
        assert version(name).split("+")[0] == pinned, f"{name}: installed {version(name)}, locked {pinned}"


def test_binder_post_build_installs_the_package():
    script = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"pip install .*-e \.", script)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to export a clean copy")
def test_repo2docker_accepts_the_repository(tmp_path):
    clean = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clean)], check=True)
    # the working tree's versions of the set-up files (they may not be committed yet while editing)
    for name in ("environment.yml", "binder/environment.yml", "binder/postBuild", "pyproject.toml",
                 "requirements.txt"):
        shutil.copy2(ROOT / name, clean / name)
    repo2docker = Path(sys.executable).with_name("jupyter-repo2docker")
    result = subprocess.run([str(repo2docker), "--no-build", "--debug", "--user-id", "1000", "--user-name",
                             "jovyan", str(clean)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout + result.stderr
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, flags=re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()
                and not line.strip().startswith("#")]
    assert commands == ["make lab", "make test"], commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_make_test_creates_the_venv_and_installs_the_locks(tmp_path):
    # -W: as if MathJax's lock had just changed, so that make shows how it installs it even where it is installed
    out = subprocess.run(["make", "-n", "-W", "site/package-lock.json", "test", f"VENV={tmp_path / 'venv'}"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "-m venv" in out
    assert "install -r requirements.txt" in out and "install -r requirements-dev.txt" in out
    assert "-m pytest" in out
    # make test builds and checks the website too: its lock and its pinned MathJax
    assert "install -r requirements-site.txt" in out and "npm ci --prefix site" in out
    site = subprocess.run(["make", "-n", "site", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert "-m sphinx -n -W --keep-going -c site" in site and ". build/site" in site
    assert "tools/check_site.py build/site" in site
    lab = subprocess.run(["make", "-n", "lab", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    # JupyterLab refuses to start as root without --allow-root (e.g. in a container); only then is it passed.
    flag = "--allow-root " if os.geteuid() == 0 else ""
    assert f"jupyter lab {flag}student/00_start_here.ipynb" in lab, lab  # the student copy


def test_a_built_wheel_carries_the_trained_checkpoints(tmp_path):
    """Lessons 04-06 load trained agents: a non-editable install (e.g. on a JupyterHub) must have them."""
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("causal_lessons-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.name for p in (ROOT / "causal_lessons" / "checkpoints").glob("*.pt"))
    assert shipped, "no checkpoints found"
    for name in shipped:
        assert f"causal_lessons/checkpoints/{name}" in names
        assert f"causal_lessons/checkpoints/{name}.json" in names, f"{name} ships without its config/metrics JSON"
