"""A JupyterHub for the course on one machine: the set-up that tests/hub/test_class_on_a_hub.py runs.

    COURSE_HUB_DIR=/srv/course-hub jupyterhub -f deploy/hub/jupyterhub_config.py

Everything the hub writes goes under ``COURSE_HUB_DIR``: its database and cookie secret, one home
folder per student (``homes/<name>``), nbgrader's exchange (``exchange/``) and the course's kernel
(``kernels/``, see below).  The hub, its proxy and the students' servers run from the Python
environment that runs this file (the course's ``.venv`` with the dev lock, which has JupyterHub,
the pure-Python ``configurable-http-proxy``, nbgitpuller and nbgrader).

What is for a trial only, and what to change on a real hub:

* ``DummyAuthenticator`` lets anyone in with any name: use your university's login (OAuth, LDAP,
  LTI) instead.  It and the local process spawner keep the test self-contained.
* Every student's server is a process of the same unix user, as every Zero to JupyterHub pod runs
  as ``jovyan``: nbgrader must then be told who the student is (``etc-jupyter/nbgrader_config.py``
  sets ``CourseDirectory.student_id`` from ``JUPYTERHUB_USER``).
* The hub listens on 127.0.0.1 only.  Ports and the proxy's token come from the environment
  (``COURSE_HUB_PORT``, default 8000; ``COURSE_HUB_API_PORT``, 8081; ``COURSE_HUB_PROXY_API_PORT``,
  8001; ``CONFIGPROXY_AUTH_TOKEN``); ``COURSE_HUB_ADMIN_TOKEN``, when set, is the token of a service
  named ``course-admin`` with admin rights (the test drives the hub with it).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HUB_DIR = Path(os.environ["COURSE_HUB_DIR"]).resolve()
BIN = Path(sys.executable).parent  # hub, proxy and single-user servers come from this environment

c = get_config()  # noqa: F821 (JupyterHub defines it)

# ---------------------------------------------------------------- network: 127.0.0.1 only
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(BIN / "configurable-http-proxy")]

# ---------------------------------------------------------------- the hub's own files
HUB_DIR.mkdir(parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{HUB_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB_DIR / "jupyterhub.pid")

# ---------------------------------------------------------------- who may log in (a trial: anyone)
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {"lecturer"}

# ---------------------------------------------------------------- each student's server
c.JupyterHub.spawner_class = "simple"  # jupyterhub.spawner.SimpleLocalProcessSpawner: one home folder each
c.SimpleLocalProcessSpawner.home_dir_template = str(HUB_DIR / "homes" / "{username}")
c.Spawner.notebook_dir = str(HUB_DIR / "homes" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
# where a student lands after logging in: JupyterLab, or (COURSE_HUB_DEFAULT_URL) nbgitpuller's address in the
# server, i.e. the JupyterHub link of tools/links.py from `/git-pull?` on: then the course is cloned or updated at
# every login and the lesson opens (Zero to JupyterHub's singleuser.defaultUrl in deploy/z2jh/values.yaml does the same)
c.Spawner.default_url = os.environ.get("COURSE_HUB_DEFAULT_URL", "/lab")
c.Spawner.environment = {
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    # the students' nbgrader set-up and the kernel culling (the same files Zero to JupyterHub mounts in /etc/jupyter)
    "JUPYTER_CONFIG_PATH": str(HERE / "etc-jupyter"),
    "NBGRADER_EXCHANGE": str(HUB_DIR / "exchange"),
    # the course's kernel, installed as a kernel of its own (`python -m ipykernel install --prefix
    # $COURSE_HUB_DIR/kernels --name python3`): found before the server's own python3 kernel
    "JUPYTER_PATH": str(HUB_DIR / "kernels" / "share" / "jupyter"),
}
# a loaded machine takes seconds to start a server: be generous
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180

# ---------------------------------------------------------------- an admin token for scripts (the test)
if os.environ.get("COURSE_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["COURSE_HUB_ADMIN_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin", "services": ["course-admin"],
        "scopes": ["admin:users", "admin:servers", "list:users", "access:servers", "tokens"],
    }]
