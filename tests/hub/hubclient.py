"""Driving a real JupyterHub for the class-on-a-hub test (the ``hub`` fixture that starts it is in conftest.py).

* ``Hub.student(name)``: logs in through the login form (as a person does), starts the server and waits
  until it is ready; the returned ``Student`` talks to its own server with its own API token.
* ``Student.pull(link)``: opens the nbgitpuller link and reads the pull's event stream (what the pull page's
  JavaScript does) until it says finished.
* ``Student.run_notebook(path)``: runs every code cell in a kernel of the student's server (the server's
  kernel API, over its websocket) and returns the notebook with the outputs.

Everything is bound to 127.0.0.1; nothing is downloaded.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "hub" / "jupyterhub_config.py"
ARTIFACTS = ROOT / "test-artifacts" / "hub"
BIN = Path(sys.executable).parent
START_TIMEOUT_S = 240     # a server on a loaded two-core machine takes seconds; be generous
CELL_TIMEOUT_S = 600
#: the name of the bare repository, hence of the folder nbgitpuller clones into
REPOSITORY_NAME = "causal-lessons"
#: the lesson the class works on: quick (about 10 s on one core) and with four exercises to grade
LESSON = "03_experiment_then_exploit.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git with a fixed identity (the lecturer's commits) and return its output."""
    result = subprocess.run(["git", "-c", "user.name=Lecturer", "-c", "user.email=lecturer@example.edu",
                             "-c", "init.defaultBranch=main", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_until(condition, timeout_s: float, what: str, interval_s: float = 0.5):
    """Call ``condition()`` until it returns something true; fail after ``timeout_s`` naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


class Hub:
    """A running hub: its address, the admin service's token, the scratch folder and the course's repository."""

    def __init__(self, url: str, admin_token: str, scratch: Path, remote: Path, proc: subprocess.Popen, log: Path):
        self.url, self.admin_token, self.scratch, self.remote = url, admin_token, scratch, remote
        self.proc, self.log = proc, log
        self.students: dict[str, Student] = {}

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the hub's REST API (``/hub/api/<path>``) with the admin service's token."""
        response = requests.request(method, f"{self.url}/hub/api/{path}", timeout=60,
                                    headers={"Authorization": f"token {self.admin_token}"}, **kwargs)
        assert response.status_code < 400, f"{method} /hub/api/{path}: {response.status_code} {response.text[:500]}"
        return response

    def home(self, name: str) -> Path:
        return self.scratch / "homes" / name

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def student(self, name: str) -> "Student":
        """Log ``name`` in through the login form, start their server and wait until it is ready."""
        if name in self.students:
            return self.students[name]
        session = requests.Session()
        form = session.get(f"{self.url}/hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
        # any password: the trial hub's DummyAuthenticator; the reply starts the server (spawn-pending page)
        session.post(f"{self.url}/hub/login", data={"username": name, "password": "any", "_xsrf": xsrf},
                     allow_redirects=False, timeout=60)
        assert "jupyterhub-session-id" in session.cookies or any(
            c.name.startswith("jupyterhub-hub-login") for c in session.cookies), f"{name}: the login failed"
        user = self.api("GET", f"users/{name}").json()
        if not user["servers"]:
            self.api("POST", f"users/{name}/server")

        def ready():
            server = self.api("GET", f"users/{name}").json()["servers"].get("")
            return server and server.get("ready")

        wait_until(ready, START_TIMEOUT_S, f"{name}'s server to start (hub log: {self.log})", interval_s=1)
        token = self.api("POST", f"users/{name}/tokens", json={"note": "class-on-a-hub test",
                                                                  "expires_in": 3600}).json()["token"]
        student = Student(self, name, session, token)
        self.students[name] = student
        return student


class Student:
    """A logged-in student: a browser-like session (cookies) and an API token for their own server."""

    def __init__(self, hub: Hub, name: str, session: requests.Session, token: str):
        self.hub, self.name, self.session, self.token = hub, name, session, token
        self.base = f"{hub.url}/user/{name}"

    @property
    def home(self) -> Path:
        return self.hub.home(self.name)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the student's own server (``/user/<name>/<path>``) with the student's token."""
        response = requests.request(method, f"{self.base}/{path}", timeout=120,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        assert response.status_code < 400, f"{self.name}: {method} {path}: {response.status_code} {response.text[:500]}"
        return response

    def pull(self, link: str) -> list[str]:
        """Open the nbgitpuller ``link`` as a browser does, then read the pull's event stream until it finishes.

        Returns the pull's output lines.  Following the link's redirects also logs the browser session in to
        the student's server (the server's OAuth round trip with the hub)."""
        page = self.session.get(link, timeout=120)
        assert page.status_code == 200 and "Synchronizing" in page.text, \
            f"{self.name}: the link did not open nbgitpuller's pull page: {page.status_code} {page.url}"
        query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
        params = {"repo": query["repo"], "branch": query["branch"],
                  "targetpath": query["repo"].rstrip("/").split("/")[-1]}
        lines, phase = [], None
        with self.session.get(f"{self.base}/git-pull/api", params=params, stream=True, timeout=300) as stream:
            assert stream.status_code == 200, f"{self.name}: git-pull/api: {stream.status_code}"
            for raw in stream.iter_lines(decode_unicode=True):
                if not raw or not raw.startswith("data:"):
                    continue
                event = json.loads(raw[len("data:"):])
                phase = event.get("phase")
                if event.get("output"):
                    lines.append(event["output"].rstrip())
                if phase in ("finished", "error"):
                    assert phase == "finished", f"{self.name}: the pull failed: {event.get('message')}\n" \
                                                f"{event.get('output', '')}"
                    break
        assert phase == "finished", f"{self.name}: the pull's event stream ended without 'finished'"
        return lines

    def read_notebook(self, path: str) -> dict:
        return self.api("GET", f"api/contents/{quote(path)}", params={"content": 1}).json()["content"]

    def save_notebook(self, path: str, notebook: dict) -> None:
        self.api("PUT", f"api/contents/{quote(path)}", json={"type": "notebook", "format": "json",
                                                              "content": notebook})

    def run_notebook(self, path: str) -> tuple[dict, int]:
        """Run every code cell of ``path`` in a new kernel of the student's server, as *Run All* does.

        Returns the notebook with the kernel's outputs and the kernel's process id (still running: shut it down
        with :meth:`shut_down`)."""
        notebook = self.read_notebook(path)
        session = self.api("POST", "api/sessions", json={"path": path, "type": "notebook", "name": path,
                                                          "kernel": {"name": "python3"}}).json()
        kernel_id = session["kernel"]["id"]
        self._sessions = getattr(self, "_sessions", []) + [session["id"]]
        ws_url = f"ws://{urlsplit(self.base).netloc}/user/{self.name}/api/kernels/{kernel_id}/channels"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"], timeout=CELL_TIMEOUT_S)
        try:
            for cell in notebook["cells"]:
                if cell["cell_type"] != "code":
                    continue
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                cell["outputs"], cell["execution_count"] = self._execute(ws, source)
        finally:
            ws.close()
        return notebook, kernel_pid(kernel_id)

    def _execute(self, ws, code: str) -> tuple[list[dict], int | None]:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.name, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        outputs, count, idle, replied = [], None, False, False
        deadline = time.monotonic() + CELL_TIMEOUT_S
        while not (idle and replied):
            assert time.monotonic() < deadline, f"{self.name}: a cell ran past {CELL_TIMEOUT_S} s:\n{code[:300]}"
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["header"]["msg_type"], message["content"]
            if message["channel"] == "shell" and kind == "execute_reply":
                replied, count = True, content.get("execution_count")
            elif kind == "status":
                idle = content["execution_state"] == "idle"
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("display_data", "execute_result"):
                output = {"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    output["execution_count"] = content["execution_count"]
                outputs.append(output)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                                "traceback": content["traceback"]})
        return outputs, count

    def shut_down_kernels(self) -> None:
        """Close every lesson this test opened (its session and kernel), as *Shut Down Kernel* does."""
        for session_id in getattr(self, "_sessions", []):
            self.api("DELETE", f"api/sessions/{session_id}")
        self._sessions = []

    def nbgrader(self, action: str, assignment: str) -> list[dict]:
        """What the *Assignments* tab does: fetch, submit or fetch_feedback through the server's nbgrader API.

        Returns the assignments nbgrader then lists for the student (released, fetched, submitted)."""
        reply = self.api("POST", f"assignments/{action}",
                         data={"course_id": "causal-lessons", "assignment_id": assignment}).json()
        assert reply.get("success"), f"{self.name}: nbgrader {action} failed:\n{reply.get('value')}"
        return reply["value"]


def kernel_pid(kernel_id: str) -> int:
    """The process id of the kernel whose connection file names ``kernel_id``."""
    def find():
        for proc in psutil.process_iter(["cmdline"]):
            if any(f"kernel-{kernel_id}" in part for part in proc.info["cmdline"] or []):
                return proc.pid
        return None
    return wait_until(find, 60, f"the process of kernel {kernel_id}")


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def hub_link(hub: Hub, lesson: str) -> str:
    """The lesson's nbgitpuller link, built by tools/links.py for the bare repository on this machine."""
    from links import launch_links

    return launch_links(lesson, f"file://{hub.remote}", branch="main", hub=hub.url)["nbgitpuller"]


def default_url(remote: Path, lesson: str) -> str:
    """The servers' default URL: the lesson's nbgitpuller address inside the server (tools/links.py), as
    Zero to JupyterHub's ``singleuser.defaultUrl`` in deploy/z2jh/values.yaml."""
    from links import lesson_path, nbgitpuller_path

    return nbgitpuller_path(f"file://{remote}", "main", lesson_path(lesson))


def stop(processes: list[psutil.Process]) -> None:
    """Terminate ``processes`` (those the test started), then kill any still running after 20 s."""
    for proc in processes:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=20)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=10)
