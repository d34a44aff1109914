# Appended by repo2docker (--appendix) to the image it builds from binder/: the hub image's extras.
# nbgrader gives students the Assignments tab (fetch, submit, feedback) and the lecturer the grading commands;
# it is a dev dependency of the course, installed here at the dev lock's versions (requirements-dev.txt).
RUN python -m pip install --no-cache-dir "nbgrader==0.9.6" -c "${REPO_DIR}/requirements-dev.txt"
