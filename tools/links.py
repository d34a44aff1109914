"""Links that open the course for a class: on Binder, and on a JupyterHub through nbgitpuller.

    python tools/links.py OWNER/NAME                                  # lesson 00, student copy
    python tools/links.py OWNER/NAME --lesson 03_experiment_then_exploit.ipynb --hub https://hub.example.edu
    python tools/links.py OWNER/NAME --instructor                     # the instructor version (solutions)
    python tools/links.py OWNER/NAME --path notebooks/07_error_accumulation_and_dagger.ipynb   # any file

Every link opens a **student copy** (``student/NN_name.ipynb``: the lesson with its solutions
replaced by ``...``) unless ``--instructor`` asks for the instructor version in ``notebooks/``.

* **Binder** builds the repository's environment (``binder/``, ``environment.yml``) and opens
  the notebook in JupyterLab; nothing to install and no build step (the student copies are
  committed).  ``--branch`` defaults to ``HEAD``, the repository's default branch.
* **nbgitpuller** (installed on the hub by its administrator) clones the repository into each
  student's home folder on the first click, pulls updates on later clicks without overwriting
  the student's changes, and opens the notebook in JupyterLab.  The notebook path in the link
  starts with the folder nbgitpuller clones into, which is the repository's name.
* **Download**: the raw file, for a student who runs the lesson elsewhere.

The repository is a GitHub repository (``OWNER/NAME``); the nbgitpuller link also takes any git
address (a GitLab server, or ``file:///srv/causal-lessons`` on the hub's own disk), e.g.
``python tools/links.py file:///srv/causal-lessons --hub https://hub.example.edu``.

This module is the one place links are built: the course website (``site/course_site.py``) calls
:func:`launch_links` for each lesson page.  See docs/teaching.md for how to run a class with either.
"""

from __future__ import annotations

import argparse
import re
from urllib.parse import quote, urlencode, urlsplit

#: The folder of the student copies (what every link opens by default) and of the instructor version.
STUDENT_FOLDER, INSTRUCTOR_FOLDER = "student", "notebooks"
#: The notebook a link opens when none is named: lesson 00's student copy.
DEFAULT_LESSON = "00_start_here.ipynb"
DEFAULT_PATH = f"{STUDENT_FOLDER}/{DEFAULT_LESSON}"
BINDER = "https://mybinder.org"
RAW = "https://raw.githubusercontent.com"
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?"


def parse_repository(repository: str) -> tuple[str, str]:
    """``"OWNER/NAME"`` (or ``https://github.com/OWNER/NAME``, with or without ``.git``) -> ``(OWNER, NAME)``."""
    if not isinstance(repository, str):
        raise TypeError(f"repository must be a string like 'OWNER/NAME', got {repository!r} "
                        f"({type(repository).__name__}).")
    text = repository.strip()
    text = re.sub(r"^(https?://)?(www\.)?github\.com/", "", text)
    text = re.sub(r"(\.git)?/?$", "", text)
    match = re.fullmatch(rf"({_NAME})/({_NAME})", text)
    if not match:
        raise ValueError(f"repository must look like 'OWNER/NAME' (a GitHub repository, e.g. "
                         f"'causal-lessons/causal-lessons'), got {repository!r}.")
    return match.group(1), match.group(2)


def _check_branch(branch: str) -> str:
    if not isinstance(branch, str) or not branch.strip():
        raise ValueError(f"branch must be a branch or tag name such as 'main', got {branch!r}.")
    if re.search(r"\s|\.\.|[~^:?*\[\\]", branch) or branch.startswith(("-", "/")) or branch.endswith(("/", ".lock")):
        raise ValueError(f"branch: {branch!r} is not a valid git branch name (no spaces, '..', '~', '^', ':', "
                         f"'?', '*', '[' or backslash).")
    return branch


def _check_path(path: str) -> str:
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"path must be the notebook's path inside the repository, e.g. {DEFAULT_PATH!r}, "
                         f"got {path!r}.")
    parts = path.split("/")
    if path.startswith("/") or ".." in parts or "\\" in path:
        raise ValueError(f"path must be relative to the repository's top folder, with '/' between folders and "
                         f"no '..', e.g. {DEFAULT_PATH!r}; got {path!r}.")
    return path


def _check_hub(hub: str) -> str:
    if not isinstance(hub, str):
        raise TypeError(f"hub must be the JupyterHub's address as a string, got {hub!r} ({type(hub).__name__}).")
    parts = urlsplit(hub.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"hub must be the JupyterHub's address, such as 'https://hub.example.edu' "
                         f"(http or https, no '?...'), got {hub!r}.")
    base = hub.strip().rstrip("/")
    # people often copy the address of the hub's own pages: https://hub.example.edu/hub/home
    base = re.sub(r"/hub(/(home|login|spawn))?$", "", base)
    return base


def lesson_path(lesson_filename: str, *, instructor: bool = False) -> str:
    """The path in the repository of a lesson's student copy (or, with ``instructor=True``, its instructor version).

    >>> lesson_path("03_experiment_then_exploit.ipynb")
    'student/03_experiment_then_exploit.ipynb'
    >>> lesson_path("03_experiment_then_exploit.ipynb", instructor=True)
    'notebooks/03_experiment_then_exploit.ipynb'
    """
    if not isinstance(lesson_filename, str) or not re.fullmatch(r"[\w.-]+\.ipynb", lesson_filename.strip()):
        raise ValueError(f"lesson_filename must be a lesson's file name such as {DEFAULT_LESSON!r} (no folder), "
                         f"got {lesson_filename!r}.")
    return f"{INSTRUCTOR_FOLDER if instructor else STUDENT_FOLDER}/{lesson_filename.strip()}"


def download_url(repository: str, branch: str = "HEAD", path: str = DEFAULT_PATH) -> str:
    """The address of the raw notebook file (what a browser saves with "download").

    >>> download_url("causal-lessons/causal-lessons")
    'https://raw.githubusercontent.com/causal-lessons/causal-lessons/HEAD/student/00_start_here.ipynb'
    """
    owner, name = parse_repository(repository)
    branch, path = _check_branch(branch), _check_path(path)
    return f"{RAW}/{owner}/{name}/{quote(branch)}/{quote(path)}"


def binder_url(repository: str, branch: str = "HEAD", path: str = DEFAULT_PATH, *, binder: str = BINDER) -> str:
    """The mybinder.org link that builds ``repository`` at ``branch`` and opens ``path`` in JupyterLab.

    >>> binder_url("causal-lessons/causal-lessons")
    'https://mybinder.org/v2/gh/causal-lessons/causal-lessons/HEAD?urlpath=lab/tree/student/00_start_here.ipynb'
    """
    owner, name = parse_repository(repository)
    branch, path = _check_branch(branch), _check_path(path)
    return f"{_check_hub(binder)}/v2/gh/{owner}/{name}/{quote(branch, safe='')}?urlpath=lab/tree/{quote(path)}"


def git_repository(repository: str) -> tuple[str, str]:
    """The address nbgitpuller clones and the folder it clones into: ``(git URL, folder)``.

    A GitHub repository (``"OWNER/NAME"``, or its address) gives ``https://github.com/OWNER/NAME``; any
    other git address (``https://``, ``http://``, ``ssh://``, ``git://`` or ``file://``, e.g. a GitLab
    server or a clone on the hub's own disk) is kept as it is.  The folder is the address's last part,
    as nbgitpuller names it (a trailing ``.git`` included).

    >>> git_repository("causal-lessons/causal-lessons")
    ('https://github.com/causal-lessons/causal-lessons', 'causal-lessons')
    >>> git_repository("https://gitlab.example.edu/teaching/causal-lessons.git")
    ('https://gitlab.example.edu/teaching/causal-lessons.git', 'causal-lessons.git')
    >>> git_repository("file:///srv/courses/causal-lessons")
    ('file:///srv/courses/causal-lessons', 'causal-lessons')
    """
    if isinstance(repository, str) and re.match(r"(https?|ssh|git|file)://", repository.strip()) and \
            not re.match(r"https?://(www\.)?github\.com/", repository.strip()):
        url = repository.strip().rstrip("/")
        parts = urlsplit(url)
        folder = url.split("/")[-1]
        if parts.query or parts.fragment or not re.fullmatch(_NAME, folder) or (parts.scheme != "file" and not parts.netloc):
            raise ValueError(f"repository must be a GitHub repository ('OWNER/NAME') or a git address such as "
                             f"'https://gitlab.example.edu/teaching/causal-lessons.git' (no '?...'), got {repository!r}.")
        return url, folder
    owner, name = parse_repository(repository)
    return f"https://github.com/{owner}/{name}", name


def nbgitpuller_url(repository: str, hub: str, branch: str = "main", path: str = DEFAULT_PATH) -> str:
    """The JupyterHub link that clones (or updates) ``repository`` at ``branch`` with nbgitpuller
    and opens ``path`` in JupyterLab.

    ``repository`` is a GitHub repository or any git address (see :func:`git_repository`).

    >>> nbgitpuller_url("causal-lessons/causal-lessons", "https://hub.example.edu")  # doctest: +NORMALIZE_WHITESPACE
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fcausal-lessons%2Fcausal-lessons&urlpath=lab%2Ftree%2Fcausal-lessons%2Fstudent%2F00_start_here.ipynb&branch=main'
    """
    return f"{_check_hub(hub)}/hub/user-redirect{nbgitpuller_path(repository, branch, path)}"


def nbgitpuller_path(repository: str, branch: str = "main", path: str = DEFAULT_PATH) -> str:
    """The nbgitpuller address inside a student's server (``/git-pull?...``): the part of
    :func:`nbgitpuller_url` after ``/hub/user-redirect``, and what a hub sets as the servers' default
    URL to open the course at login (Zero to JupyterHub's ``singleuser.defaultUrl``, deploy/z2jh/values.yaml).

    >>> nbgitpuller_path("ada/course", "main", "student/03_experiment_then_exploit.ipynb")  # doctest: +NORMALIZE_WHITESPACE
    '/git-pull?repo=https%3A%2F%2Fgithub.com%2Fada%2Fcourse&urlpath=lab%2Ftree%2Fcourse%2Fstudent%2F03_experiment_then_exploit.ipynb&branch=main'
    """
    url, folder = git_repository(repository)
    branch, path = _check_branch(branch), _check_path(path)
    query = urlencode({"repo": url, "urlpath": f"lab/tree/{folder}/{path}", "branch": branch},
                      quote_via=quote, safe="")
    return f"/git-pull?{query}"


def _check_download_prefix(prefix: str) -> str:
    if not isinstance(prefix, str) or (prefix and not prefix.endswith("/")) or "\\" in prefix \
            or re.match(r"^[a-z][a-z0-9+.-]*:", prefix, flags=re.I) and not prefix.startswith(("http://", "https://")):
        raise ValueError(f"download_prefix must be the address of the folder that serves the repository's files, "
                         f"ending in '/' (such as '../' from a page of the course website, or "
                         f"'https://example.edu/course/'), got {prefix!r}.")
    return prefix


def launch_links(lesson_filename: str = DEFAULT_LESSON, repository: str = "causal-lessons/causal-lessons",
                 branch: str | None = None, hub: str | None = None, *, instructor: bool = False,
                 download_prefix: str | None = None) -> dict[str, str | None]:
    """The links that open one lesson's student copy: ``{"binder": ..., "nbgitpuller": ..., "download": ...}``.

    ``lesson_filename`` is the lesson's file name (``"03_experiment_then_exploit.ipynb"``, the same in
    ``student/`` and ``notebooks/``); ``branch`` defaults to ``HEAD`` (the default branch) for Binder and
    the download, and to ``main`` for nbgitpuller; ``"nbgitpuller"`` is None without a ``hub``, and
    ``"binder"`` and ``"download"`` are None for a repository that is not on GitHub (a git address).
    ``instructor=True`` gives the links of the instructor version (with the solutions) instead.
    The download link is the raw file on GitHub, unless ``download_prefix`` names the folder that serves the
    repository's files another way: the course website serves the student copies beside its pages, so a lesson
    page (in the site's ``student/`` folder) passes ``"../"`` and the browser saves the file it serves.

    >>> links = launch_links("03_experiment_then_exploit.ipynb", "ada/course", hub="https://hub.example.edu")
    >>> links["binder"]
    'https://mybinder.org/v2/gh/ada/course/HEAD?urlpath=lab/tree/student/03_experiment_then_exploit.ipynb'
    >>> links["download"]
    'https://raw.githubusercontent.com/ada/course/HEAD/student/03_experiment_then_exploit.ipynb'
    >>> launch_links("03_experiment_then_exploit.ipynb", "ada/course", download_prefix="../")["download"]
    '../student/03_experiment_then_exploit.ipynb'
    """
    path = lesson_path(lesson_filename, instructor=instructor)
    on_github = git_repository(repository)[0].startswith("https://github.com/")
    if download_prefix is not None:
        download = _check_download_prefix(download_prefix) + quote(path)
    else:
        download = download_url(repository, branch or "HEAD", path) if on_github else None
    return {
        "binder": binder_url(repository, branch or "HEAD", path) if on_github else None,
        "nbgitpuller": nbgitpuller_url(repository, hub, branch or "main", path) if hub is not None else None,
        "download": download,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repository", help="the GitHub repository, OWNER/NAME (or, for the hub link only, any git "
                        "address: https://gitlab.example.edu/teaching/causal-lessons.git, file:///srv/causal-lessons)")
    parser.add_argument("--branch", help="branch to open (default: HEAD on Binder, main on a JupyterHub)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--lesson", default=DEFAULT_LESSON, help=f"lesson file name (default: {DEFAULT_LESSON})")
    which.add_argument("--path", help="any notebook path in the repository instead, e.g. notebooks/03_....ipynb")
    parser.add_argument("--instructor", action="store_true",
                        help="open the instructor version (notebooks/, solutions filled in) instead of the student copy")
    parser.add_argument("--hub", help="your JupyterHub's address, e.g. https://hub.example.edu")
    args = parser.parse_args(argv)
    if args.instructor and args.path:
        parser.error("--instructor goes with --lesson (a --path names the folder itself)")
    try:
        path = args.path or lesson_path(args.lesson, instructor=args.instructor)
        label = "instructor version, with solutions" if path.startswith(INSTRUCTOR_FOLDER + "/") else (
            "student copy" if path.startswith(STUDENT_FOLDER + "/") else path)
        on_github = git_repository(args.repository)[0].startswith("https://github.com/")
        print(f"Opens:      {path} ({label})")
        if on_github:
            print("Binder:    ", binder_url(args.repository, args.branch or "HEAD", path))
        if args.hub:
            print("JupyterHub:", nbgitpuller_url(args.repository, args.hub, args.branch or "main", path))
        else:
            print("JupyterHub: pass --hub https://your.hub.address for the nbgitpuller link")
        if on_github:
            print("Download:  ", download_url(args.repository, args.branch or "HEAD", path))
        else:
            print("Binder and download links: only for a GitHub repository (OWNER/NAME)")
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
