# nbgrader in the students' (and the lecturer's) servers on a hub: the course, the exchange, who the student is.
# On a hub this folder is on JUPYTER_CONFIG_PATH (deploy/hub/jupyterhub_config.py) or mounted as /etc/jupyter
# (deploy/z2jh/values.yaml); the lecturer's course folder has its own nbgrader_config.py, read after this one.
import os

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "causal-lessons"
# one folder that every server can write, shared by all (a volume mounted in every pod on Kubernetes)
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
# nbgrader names a submission after the unix user, and on a hub every server may run as the same user
# (every Zero to JupyterHub pod is `jovyan`): name it after the hub user instead
if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
