"""The deployment files in deploy/ are what can be checked without a cluster or a TLJH server.

* Zero to JupyterHub (deploy/z2jh/): the values, merged over the chart's defaults as Helm does, are valid
  against the chart's values schema (chart 4.4.0, tests/data/); the servers' default URL is tools/links.py's
  nbgitpuller link; the CPU and memory limits cover the lesson budgets and the largest measured peak in the
  README; the files mounted in /etc/jupyter are deploy/hub/etc-jupyter/'s (those the hub test runs with); idle
  servers are culled; the image's nbgrader is the dev lock's and repo2docker puts it into the Dockerfile.
* The Littlest JupyterHub (deploy/tljh/): the script parses, its tljh-config settings are valid against TLJH
  2.0's schema and the same as Zero to JupyterHub's, and its JupyterHub settings give the same default URL.
* The students' nbgrader configuration names a submission after the hub user, and the lecturer's course
  configuration (tools/student_copies.py) grades every student.
Not checked here: `helm template`, a cluster, an image build, a TLJH install (see docs/teaching.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from benchmark import BUDGET_MB, BUDGET_S
from links import nbgitpuller_path, nbgitpuller_url
from student_copies import nbgrader_config_text

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
DATA = Path(__file__).resolve().parent / "data"
ETC_JUPYTER = DEPLOY / "hub" / "etc-jupyter"
REPOSITORY = "causal-lessons/causal-lessons"
#: a student's server with no kernel open, measured by the hub test (test-artifacts/hub/measurements.json:
#: server_idle_mb, 140 MB on the test machine); rounded up
SERVER_MB = 200


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _helm_merge(base, override):
    """Helm's merge of values files: maps merge key by key, anything else (lists too) is replaced, null removes."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _helm_merge(base.get(key), value)
    return merged


def _chart_values(*files: str) -> dict:
    values = _yaml(DATA / "z2jh-4.4.0" / "values.yaml")
    for name in files:
        values = _helm_merge(values, _yaml(DEPLOY / "z2jh" / name))
    return values


def _bytes(size: str | int) -> int:
    """JupyterHub's byte sizes: K, M, G, T are powers of 1024."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", str(size))
    assert match, f"not a JupyterHub byte size: {size!r}"
    return int(float(match.group(1)) * 1024 ** "_KMGT".index(match.group(2) or "_"))


def _readme_peak_mb() -> int:
    table = (ROOT / "README.md").read_text().split("<!-- benchmark-table:begin -->")[1].split("<!--")[0]
    peaks = [int(m) for m in re.findall(r"^\| `\d\d_\w+\.ipynb` \| [^|]+ \| (\d+) \|", table, flags=re.M)]
    assert len(peaks) >= 10, "the README's benchmark table lists every lesson's peak memory"
    return max(peaks)


# ---------------------------------------------------------------- Zero to JupyterHub

@pytest.mark.parametrize("files", [("values.yaml",), ("values.yaml", "values-nbgrader.yaml")])
def test_z2jh_values_are_valid_for_the_chart(files):
    schema = json.loads((DATA / "z2jh-4.4.0" / "values.schema.json").read_text())
    jsonschema.validate(_chart_values(), schema)  # the chart's own defaults pass: the check itself works
    jsonschema.validate(_chart_values(*files), schema)


def test_the_schema_check_catches_a_misspelt_key():
    schema = json.loads((DATA / "z2jh-4.4.0" / "values.schema.json").read_text())
    wrong = _helm_merge(_chart_values("values.yaml"), {"singleuser": {"memory": {"limits": "2G"}}})
    with pytest.raises(jsonschema.ValidationError, match="limits"):
        jsonschema.validate(wrong, schema)


def test_z2jh_opens_the_course_with_the_links_tools_nbgitpuller_link():
    default_url = _yaml(DEPLOY / "z2jh" / "values.yaml")["singleuser"]["defaultUrl"]
    assert default_url == nbgitpuller_path(REPOSITORY, "main")
    assert nbgitpuller_url(REPOSITORY, "https://hub.example.edu") == \
        "https://hub.example.edu/hub/user-redirect" + default_url


def test_z2jh_limits_cover_the_lesson_budgets():
    singleuser = _yaml(DEPLOY / "z2jh" / "values.yaml")["singleuser"]
    memory = {k: _bytes(v) / 2**20 for k, v in singleuser["memory"].items()}
    assert memory["guarantee"] >= _readme_peak_mb() + SERVER_MB, "the heaviest lesson, with its server, is guaranteed"
    assert memory["limit"] >= BUDGET_MB + SERVER_MB, "a lesson at its budget (1.5 GB) fits under the limit"
    assert memory["limit"] >= 2 * _readme_peak_mb() + SERVER_MB, "two of the heaviest lessons open at once fit"
    cpu = singleuser["cpu"]
    assert cpu["limit"] >= 1 and BUDGET_S == 60, "the lessons' run times are budgeted on one core"
    assert 0 < cpu["guarantee"] <= cpu["limit"] and memory["guarantee"] <= memory["limit"]


def test_z2jh_mounts_the_files_the_hub_test_runs_with():
    files = _yaml(DEPLOY / "z2jh" / "values.yaml")["singleuser"]["extraFiles"]
    server = files["jupyter-server-config"]
    assert server["mountPath"] == "/etc/jupyter/jupyter_server_config.json"
    assert server["data"] == json.loads((ETC_JUPYTER / "jupyter_server_config.json").read_text())
    assert server["data"]["MappingKernelManager"]["cull_idle_timeout"] > 0, "idle kernels are shut down"
    nbgrader = files["nbgrader-config"]
    assert nbgrader["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    assert nbgrader["stringData"] == (ETC_JUPYTER / "nbgrader_config.py").read_text()


def test_z2jh_culls_idle_servers_and_leaves_the_login_to_the_lecturer():
    values = _yaml(DEPLOY / "z2jh" / "values.yaml")
    assert values["cull"]["enabled"] and values["cull"]["timeout"] >= 600
    assert "authenticator_class" not in json.dumps(values.get("hub", {})), \
        "the login is the university's: values.yaml sets no authenticator"


def test_z2jh_nbgrader_exchange_is_where_the_students_config_looks():
    mounts = _yaml(DEPLOY / "z2jh" / "values-nbgrader.yaml")["singleuser"]["storage"]["extraVolumeMounts"]
    assert [m["mountPath"] for m in mounts] == ["/srv/nbgrader/exchange"]
    assert '"/srv/nbgrader/exchange"' in (ETC_JUPYTER / "nbgrader_config.py").read_text()


def _dev_pin(name: str) -> str:
    return re.search(rf"^{name}==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), flags=re.M | re.I).group(1)


def test_the_hub_images_nbgrader_is_the_dev_locks():
    nbgrader = _dev_pin("nbgrader")
    assert f'"nbgrader=={nbgrader}"' in (DEPLOY / "z2jh" / "appendix.dockerfile").read_text()
    assert f'"nbgrader=={nbgrader}"' in (DEPLOY / "tljh" / "install_course.sh").read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git for a clean copy")
def test_repo2docker_appends_the_hub_images_extras(tmp_path):
    clean = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clean)], check=True)
    repo2docker = Path(sys.executable).with_name("jupyter-repo2docker")
    appendix = (DEPLOY / "z2jh" / "appendix.dockerfile").read_text()
    result = subprocess.run([str(repo2docker), "--no-build", "--debug", "--user-id", "1000", "--user-name", "jovyan",
                             "--appendix", appendix, str(clean)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout + result.stderr
    install = next(line for line in appendix.splitlines() if line.startswith("RUN "))
    assert dockerfile.index("RUN ./binder/postBuild") < dockerfile.index(install), \
        "nbgrader is installed after the course's environment and package"
    assert "ENV REPO_DIR=" in dockerfile, "the appendix finds requirements-dev.txt under ${REPO_DIR}"


# ---------------------------------------------------------------- The Littlest JupyterHub

def _tljh_settings() -> dict:
    """The settings install_course.sh makes with `tljh-config set KEY VALUE`, as the config file's mapping."""
    settings: dict = {}
    for key, value in re.findall(r"^tljh-config set (\S+) (\S+)$", (DEPLOY / "tljh" / "install_course.sh").read_text(),
                                 flags=re.M):
        *parents, last = key.split(".")
        node = settings
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = yaml.safe_load(value) if last not in ("memory",) else value  # tljh-config parses numbers, booleans
    return settings


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_tljh_script_parses():
    result = subprocess.run(["bash", "-n", str(DEPLOY / "tljh" / "install_course.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_tljh_settings_are_valid_and_match_z2jhs():
    settings = _tljh_settings()
    jsonschema.validate(settings, json.loads((DATA / "tljh-2.0.0" / "config_schema.json").read_text()))
    singleuser = _yaml(DEPLOY / "z2jh" / "values.yaml")["singleuser"]
    assert settings["limits"] == {"memory": singleuser["memory"]["limit"], "cpu": singleuser["cpu"]["limit"]}
    cull = _yaml(DEPLOY / "z2jh" / "values.yaml")["cull"]
    assert settings["services"]["cull"] == {"enabled": True, "timeout": cull["timeout"], "every": cull["every"]}


def test_tljh_jupyterhub_settings_give_the_course_kernel_and_the_default_url(tmp_path, monkeypatch):
    course = tmp_path / "opt-causal-lessons"
    (course / "repo").mkdir(parents=True)
    (course / "repo" / "tools").symlink_to(ROOT / "tools")
    (course / "link").write_text("https://github.com/ada/course fall-term\n")
    monkeypatch.setenv("CAUSAL_LESSONS_DIR", str(course))
    monkeypatch.setattr(sys, "path", list(sys.path))
    config = Config()
    exec((DEPLOY / "tljh" / "causal_lessons_config.py").read_text(), {"get_config": lambda: config})
    assert config.Spawner.default_url == nbgitpuller_path("https://github.com/ada/course", "fall-term")
    environment = config.Spawner.environment.get_value({})  # what TLJH's own environment is updated with
    assert environment == {"JUPYTER_PATH": str(course / "kernel" / "share" / "jupyter")}
    script = (DEPLOY / "tljh" / "install_course.sh").read_text()
    assert '--prefix "$COURSE/kernel" --name python3' in script and 'echo "$REPOSITORY $BRANCH" > "$COURSE/link"' in script


# ---------------------------------------------------------------- nbgrader on a hub

def _nbgrader_config(text: str, **env) -> Config:
    config = Config()
    environ = {k: v for k, v in env.items() if v is not None}
    namespace = {"get_config": lambda: config}
    saved = dict(os.environ)
    try:
        os.environ.pop("JUPYTERHUB_USER", None)
        os.environ.update(environ)
        exec(text, namespace)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return config


def test_students_nbgrader_config_names_the_submission_after_the_hub_user():
    text = (ETC_JUPYTER / "nbgrader_config.py").read_text()
    on_hub = _nbgrader_config(text, JUPYTERHUB_USER="alice", NBGRADER_EXCHANGE="/srv/exchange")
    assert on_hub.CourseDirectory.student_id == "alice"
    assert on_hub.Exchange.root == "/srv/exchange"
    assert on_hub.CourseDirectory.course_id == "causal-lessons"
    elsewhere = _nbgrader_config(text)
    assert "student_id" not in elsewhere.CourseDirectory and elsewhere.Exchange.root == "/srv/nbgrader/exchange"


def test_the_lecturers_course_config_grades_every_student():
    """Read after the students' configuration in the course folder: collect and autograde see every student."""
    students = _nbgrader_config((ETC_JUPYTER / "nbgrader_config.py").read_text(), JUPYTERHUB_USER="lecturer")
    course = _nbgrader_config(nbgrader_config_text())
    students.merge(course)
    assert students.CourseDirectory.student_id == "*"
    assert course.CourseDirectory.course_id == students.CourseDirectory.course_id
