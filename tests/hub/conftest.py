"""The ``hub`` fixture: a real JupyterHub on 127.0.0.1 from deploy/hub/jupyterhub_config.py (see hubclient.py).

Module-scoped: a scratch folder (one home per student, nbgrader's exchange, the course's kernel), a bare git
repository standing for the course's GitHub repository (the checkout under test, pushed as ``main``), JupyterHub
with its proxy on free ports.  At teardown every process it started is stopped, even after a failure, its log
is kept in test-artifacts/hub/ and the scratch folder is removed.  Every test here is marked ``hub``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest
import requests

from hubclient import (ARTIFACTS, BIN, CONFIG, LESSON, REPOSITORY_NAME, ROOT, START_TIMEOUT_S, Hub, default_url, free_port,
                       git, stop, wait_until)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hub" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.hub)


@pytest.fixture(scope="module")
def hub():
    scratch = Path(tempfile.mkdtemp(prefix="causal-lessons-hub-"))
    # the course's repository as the class sees it: the checkout under test, pushed as `main` to a bare
    # repository named like the GitHub one (nbgitpuller names the student's folder after it)
    remote = scratch / "remote" / REPOSITORY_NAME
    git("init", "-q", "--bare", str(remote))
    git("push", "-q", str(remote), "HEAD:refs/heads/main", cwd=ROOT)
    # the course's kernel as a kernel environment of its own (here the same Python as the servers')
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(scratch / "kernels"), "--name",
                    "python3", "--display-name", "Python 3 (causal-lessons)"], check=True, capture_output=True)
    # nbgrader's exchange: one folder every student's server can write
    (scratch / "exchange").mkdir()
    (scratch / "exchange").chmod(0o777)
    ports = {"COURSE_HUB_PORT": free_port(), "COURSE_HUB_API_PORT": free_port(), "COURSE_HUB_PROXY_API_PORT": free_port()}
    admin_token = secrets.token_hex(16)
    env = dict(os.environ, COURSE_HUB_DIR=str(scratch), COURSE_HUB_ADMIN_TOKEN=admin_token,
               CONFIGPROXY_AUTH_TOKEN=secrets.token_hex(16), COURSE_HUB_DEFAULT_URL=default_url(remote, LESSON),
               **{k: str(v) for k, v in ports.items()})
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_PATH",
                "JUPYTER_CONFIG_PATH", "IPYTHONDIR", "MPLBACKEND"):
        env.pop(var, None)
    log = scratch / "jupyterhub.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(CONFIG)], cwd=scratch, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{ports['COURSE_HUB_PORT']}"
    started: list[psutil.Process] = []
    try:
        def up():
            if proc.poll() is not None:
                raise AssertionError(f"JupyterHub exited early:\n{log.read_text()[-3000:]}")
            try:
                return requests.get(f"{url}/hub/api/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(up, START_TIMEOUT_S, "JupyterHub to answer")
        the_hub = Hub(url, admin_token, scratch, remote, proc, log)
        yield the_hub
    finally:
        # everything the hub started (proxy, servers, kernels), found before the hub goes
        try:
            started = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            started = []
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        stop([p for p in started if p.is_running()])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if log.exists():
            shutil.copy(log, ARTIFACTS / "jupyterhub.log")
        shutil.rmtree(scratch, ignore_errors=True)
