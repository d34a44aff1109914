#!/usr/bin/env bash
# The course on The Littlest JupyterHub (one server, up to a few dozen students), after TLJH's own installer.
# Run as root on the hub's server:
#
#   sudo bash deploy/tljh/install_course.sh https://github.com/OWNER/NAME [BRANCH]
#
# * the course's pins go into a kernel environment of their own (/opt/causal-lessons/env), registered as the
#   `python3` kernel through JUPYTER_PATH: a course update cannot break the servers' environment (/opt/tljh/user);
# * nbgrader goes into the servers' environment (its Assignments tab is a server extension);
# * deploy/hub/etc-jupyter/ goes to /etc/jupyter (students' nbgrader set-up, culling of idle kernels);
# * deploy/tljh/causal_lessons_config.py goes to TLJH's jupyterhub_config.d (the kernel, the default URL);
# * tljh-config: 2 GB and one CPU per student, servers stopped after an hour without activity.
#
# Checked in this repository (tests/test_deploy.py): bash syntax, the tljh-config keys against TLJH 2.0's schema,
# the config file's settings. Not run here: it needs a TLJH server.
set -euo pipefail

REPOSITORY=${1:?give the course repository, e.g. https://github.com/OWNER/NAME}
BRANCH=${2:-main}
COURSE=/opt/causal-lessons
PYTHON=${PYTHON:-python3}   # 3.11 or 3.12 (the course's requirement)

if [ -d "$COURSE/repo/.git" ]; then
    git -C "$COURSE/repo" fetch --quiet origin "$BRANCH"
    git -C "$COURSE/repo" checkout --quiet --force "origin/$BRANCH"
else
    git clone --quiet --branch "$BRANCH" "$REPOSITORY" "$COURSE/repo"
fi
echo "$REPOSITORY $BRANCH" > "$COURSE/link"   # read by causal_lessons_config.py: the students' default URL

# the course's kernel environment, from the pinned lock (CPU-only PyTorch)
"$PYTHON" -m venv "$COURSE/env"
"$COURSE/env/bin/python" -m pip install --quiet --upgrade "pip>=24"
"$COURSE/env/bin/python" -m pip install --quiet -r "$COURSE/repo/requirements.txt" \
    --extra-index-url https://download.pytorch.org/whl/cpu
"$COURSE/env/bin/python" -m pip install --quiet --no-deps -e "$COURSE/repo"
"$COURSE/env/bin/python" -m ipykernel install --prefix "$COURSE/kernel" --name python3 \
    --display-name "Python 3 (causal-lessons)"

# nbgrader's server extensions in the servers' environment, at the course's dev lock's version
/opt/tljh/user/bin/python -m pip install --quiet "nbgrader==0.9.6"

# nbgrader's exchange and the students' Jupyter configuration
install -d -m 0777 /srv/nbgrader/exchange
install -d /etc/jupyter
install -m 0644 "$COURSE/repo/deploy/hub/etc-jupyter/nbgrader_config.py" \
    "$COURSE/repo/deploy/hub/etc-jupyter/jupyter_server_config.json" /etc/jupyter/
install -m 0644 "$COURSE/repo/deploy/tljh/causal_lessons_config.py" /opt/tljh/config/jupyterhub_config.d/

tljh-config set limits.memory 2G
tljh-config set limits.cpu 1
tljh-config set services.cull.enabled true
tljh-config set services.cull.timeout 3600
tljh-config set services.cull.every 300
tljh-config set user_environment.default_app jupyterlab
tljh-config reload
