# The Littlest JupyterHub: the course's additions, in /opt/tljh/config/jupyterhub_config.d/ (install_course.sh
# puts it there; TLJH reads it after its own settings).
import os
import sys
from pathlib import Path

COURSE = Path(os.environ.get("CAUSAL_LESSONS_DIR", "/opt/causal-lessons"))  # where install_course.sh installed it
c = get_config()  # noqa: F821 (JupyterHub defines it)

# the course's kernel environment is the `python3` kernel, found before the servers' own
c.Spawner.environment.update({"JUPYTER_PATH": str(COURSE / "kernel" / "share" / "jupyter")})

# at login, nbgitpuller clones the course into the student's home (or merges updates) and opens lesson 00's
# student copy: the repository and branch install_course.sh was given, through the course's own link builder
sys.path.insert(0, str(COURSE / "repo" / "tools"))
from links import nbgitpuller_path  # noqa: E402

repository, branch = (COURSE / "link").read_text().split()
c.Spawner.default_url = nbgitpuller_path(repository, branch)
