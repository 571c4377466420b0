"""The README's JupyterHub recipe, run for real: a local hub, nbgitpuller, a local git remote, a browser.

What an instructor does, as the README says it (section "Serving the lessons from your own
JupyterHub"): a JupyterHub (127.0.0.1, random ports, DummyAuthenticator, SimpleLocalProcessSpawner,
the Python configurable-http-proxy) whose single-user servers run in this environment with the
README's page config (no news pop-up), and the README's link with only the hub's address, the
repository (a local bare repository whose URL ends in ``.git``, holding this checkout's HEAD as
``main``) and nothing else changed. Headless Chromium then does what a student does: follows the
link, logs in, and must land in lesson 1 of the clone, with no "official Jupyter news" pop-up;
runs all cells (no error); adds a cell of notes and saves. The instructor pushes an update; the
student follows the link again: the update is merged and the notes are kept. A screenshot goes to
``test-artifacts/``.

Needs what tests/test_browser.py needs, plus jupyterhub, nbgitpuller and configurable-http-proxy
(the test extra), git, and a git checkout; without them it skips and says so.
"""
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, Deadline, _free_port, _require_browser, errors_shown, \
    prompts, wait_for

BIN = Path(sys.executable).parent
LESSON = "01-welcome.ipynb"
BUDGET = 150  # seconds for the whole test
SCREENSHOT = ROOT / "test-artifacts" / "browser-hub-recipe.png"
NOTES = "# my notes: grad is the slope"

pytestmark = pytest.mark.browser


def _require_hub():
    missing = [f"no {exe} (the test extra installs it)" for exe in
               ("jupyterhub", "jupyterhub-singleuser", "configurable-http-proxy") if not (BIN / exe).exists()]
    try:
        import nbgitpuller  # noqa: F401
    except ImportError:
        missing.append("no nbgitpuller (the test extra installs it)")
    if shutil.which("git") is None:
        missing.append("no git")
    elif subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode:
        missing.append(f"{ROOT} is not a git checkout")
    if missing:
        pytest.skip("JupyterHub recipe test: " + "; ".join(missing))


def readme_recipe():
    """The README's hub link (without the hub's address) and the page config it says switches the pop-up off."""
    text = (ROOT / "README.md").read_text()
    start = text.index("**Serving the lessons from your own JupyterHub")
    section = text[start:text.index("\n**", start + 1)]
    link = re.search(r"^https://YOUR-HUB(/hub/user-redirect/git-pull\?\S+)$", section, re.M)
    config = re.search(r"`(\{\"disabledExtensions\": .*?\})`", section)
    assert link and config, "the README's hub recipe lost its link or its page config"
    assert 'jupyter labextension disable "@jupyterlab/apputils-extension:announcements"' in section
    return link.group(1), json.loads(config.group(1))


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="Instructor", GIT_AUTHOR_EMAIL="i@example.org",
                            GIT_COMMITTER_NAME="Instructor", GIT_COMMITTER_EMAIL="i@example.org"))


class Hub:
    """A JupyterHub of our own in ``workdir``; ``stop()`` shuts it, its proxy and the student's server down."""

    def __init__(self, workdir, page_config):
        self.workdir = workdir
        self.port, api_port, hub_port = _free_port(), _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        jupyter = workdir / "jupyter"  # the single-user servers' config: the README's page config, all cells in the page
        (jupyter / "labconfig").mkdir(parents=True)
        (jupyter / "labconfig" / "page_config.json").write_text(json.dumps(page_config))
        tracker = jupyter / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True)
        tracker.write_text(json.dumps({"windowingMode": "none"}))
        (workdir / "home").mkdir()
        config = {
            "JupyterHub.ip": "127.0.0.1", "JupyterHub.port": self.port, "JupyterHub.hub_ip": "127.0.0.1",
            "JupyterHub.hub_port": hub_port, "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{api_port}",
            "ConfigurableHTTPProxy.command": [str(BIN / "configurable-http-proxy")],
            "ConfigurableHTTPProxy.pid_file": str(workdir / "proxy.pid"),
            "JupyterHub.authenticator_class": "dummy", "JupyterHub.spawner_class": "simple",
            "SimpleLocalProcessSpawner.home_dir_template": str(workdir / "home" / "{username}"),
            "Spawner.cmd": [str(BIN / "jupyterhub-singleuser")],
            "Spawner.args": ["--allow-root"] if os.geteuid() == 0 else [],
            "Spawner.environment": {"JUPYTER_CONFIG_DIR": str(jupyter), "JUPYTER_DATA_DIR": str(workdir / "data"),
                                    "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
                                    "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])},
            "JupyterHub.db_url": f"sqlite:///{workdir / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(workdir / "cookie_secret"),
            "JupyterHub.services": [{"name": "test", "api_token": self.token}],
            "JupyterHub.load_roles": [{"name": "test", "services": ["test"],
                                       "scopes": ["shutdown", "admin:users", "admin:servers", "admin:server_state"]}],
        }
        (workdir / "jupyterhub_config.py").write_text("".join(f"c.{k} = {v!r}\n" for k, v in config.items()))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_")) and k != "MPLBACKEND"}
        self.log = workdir / "jupyterhub.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(workdir / "jupyterhub_config.py")],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir,
                                         env=env, start_new_session=True)

    def api(self, path, method="GET", body=None):
        req = urllib.request.Request(f"{self.url}/hub/api{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            data = r.read()
        return json.loads(data) if data else None

    def log_tail(self, lines=40):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_up(self, timeout):
        def up():
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterHub exited with code {self.proc.returncode}:\n{self.log_tail()}")
            return self.api("/")
        wait_for(f"JupyterHub to answer on {self.url}", up, timeout)

    def stop(self):
        pids = []
        try:  # the student's server runs in a session of its own: find it before the hub goes
            for server in self.api("/users/student").get("servers", {}).values():
                pids.append(server.get("state", {}).get("pid"))
        except (OSError, urllib.error.URLError, ValueError, AttributeError):
            pass
        if self.proc.poll() is None:
            try:
                self.api("/shutdown", method="POST", body={"servers": True, "proxy": True})
                self.proc.wait(30)
            except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                break
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        for pid in filter(None, pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def hub(tmp_path):
    _require_browser()
    _require_hub()
    link, page_config = readme_recipe()
    remote = tmp_path / "remote" / "tutorgrad.git"  # a URL ending in .git: the README's targetpath copes with it
    git("clone", "--quiet", "--bare", str(ROOT), str(remote), cwd=tmp_path)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    git("update-ref", "refs/heads/main", head, cwd=remote)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=remote)
    server = Hub(tmp_path, page_config)
    server.link = re.sub(r"repo=[^&]+", "repo=" + urllib.parse.quote(remote.as_uri(), safe=""), link)
    server.remote = remote
    try:
        yield server
    finally:
        server.stop()


def test_hub_recipe_clones_opens_runs_and_merges_an_update(hub, tmp_path):
    from playwright.sync_api import sync_playwright

    deadline = Deadline(BUDGET)
    clone = tmp_path / "home" / "student" / "tutorgrad"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(hub.link).query)
    lesson_url = f"{hub.url}/user/student/{query['urlpath'][0]}"
    assert query["urlpath"][0].endswith(f"notebooks/{LESSON}"), f"the README's link opens {query['urlpath']}"
    try:
        hub.wait_until_up(deadline.left(60))
        deadline.mark("hub up")
        with sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000})
            try:
                page = browser.pages[0] if browser.pages else browser.new_page()
                page.set_default_timeout(30_000)
                student(page, hub, clone, lesson_url, deadline)
            except BaseException:
                print(f"--- JupyterHub log (last lines) ---\n{hub.log_tail()}")
                raise
            finally:
                SCREENSHOT.parent.mkdir(exist_ok=True)
                if browser.pages:
                    browser.pages[0].screenshot(path=str(SCREENSHOT))
                browser.close()
    finally:
        print("phases:", ", ".join(deadline.marks))


def student(page, hub, clone, lesson_url, deadline):
    # 1. The link, a login, and the lesson opens in the clone (nbgitpuller cloned into the README's targetpath).
    page.goto(hub.url + hub.link, timeout=deadline.left(30) * 1000)
    page.fill("input[name=username]", "student")
    page.fill("input[name=password]", "any")
    page.click("[type=submit]")
    page.wait_for_url(lesson_url + "*", timeout=deadline.left(60) * 1000)
    assert (clone / "notebooks" / LESSON).is_file(), f"nbgitpuller did not clone into {clone}"
    deadline.mark("lesson open")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=deadline.left(30) * 1000)
    code_cells = sum(c["cell_type"] == "code" for c in json.loads((clone / "notebooks" / LESSON).read_text())["cells"])
    wait_for(f"all {code_cells} code cells of {LESSON} in the page", lambda: len(prompts(page)) == code_cells,
             deadline.left(20))

    def api(path):
        response = page.request.get(f"{hub.url}/user/student/api/{path}")
        if not response.ok:  # (wait_for asks again: jupyter_server answers 500 to /api/kernels while a kernel it
            # lists is still starting, "The 'last_activity' trait ... expected a datetime, not the NoneType None")
            raise ConnectionError(f"GET /api/{path}: {response.status} {response.text()[:200]}")
        return response.json()

    def kernel_ready():
        sessions = api("sessions")
        kernels = {k["id"]: k for k in api("kernels")}
        return any(s["path"].endswith(LESSON) and kernels.get(s["kernel"]["id"], {}).get("execution_state") == "idle"
                   and kernels[s["kernel"]["id"]]["connections"] > 0 for s in sessions)
    wait_for("a connected idle kernel for the lesson", kernel_ready, deadline.left(45))

    # 2. Run All: every cell runs, none shows an error; and no news pop-up (the README's page config).
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    def finished():
        errors = errors_shown(page)
        if errors:
            pytest.fail(f"{LESSON} on the hub: a cell shows an error or a warning:\n\n" + "\n\n".join(errors))
        shown = prompts(page)
        return all(re.fullmatch(r"\[\d+\]:", s) for s in shown) and len({*shown}) == len(shown) and kernel_ready()
    wait_for(f"Run All to finish ({code_cells} code cells)", finished, deadline.left(60),
             detail=lambda: f"prompts {prompts(page)}")
    deadline.mark("Run All done")
    news = page.get_by_text("official Jupyter news")
    assert news.count() == 0, "JupyterLab asks about Jupyter news: the README's page config did not switch it off"

    # 3. The student adds a cell of notes at the end and saves.
    page.locator(".jp-Notebook .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type(NOTES)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    wait_for("the student's notes saved to the clone", lambda: NOTES in (clone / "notebooks" / LESSON).read_text(),
             deadline.left(20))
    deadline.mark("notes saved")

    # 4. The instructor pushes an update; the student follows the link again: merged, notes kept.
    work = clone.parent.parent.parent / "instructor"
    git("clone", "--quiet", str(hub.remote), str(work), cwd=clone.parent)
    with open(work / "README.md", "a") as f:
        f.write("\nUpdate for week 2: lesson 5 is ready.\n")
    git("commit", "--quiet", "-am", "Week 2", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    page.goto(hub.url + hub.link, timeout=deadline.left(30) * 1000)
    page.wait_for_url(lesson_url + "*", timeout=deadline.left(60) * 1000)
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=deadline.left(30) * 1000)
    deadline.mark("update pulled")
    assert "lesson 5 is ready" in (clone / "README.md").read_text(), "nbgitpuller did not merge the update"
    assert NOTES in (clone / "notebooks" / LESSON).read_text(), "the update lost the student's notes"
    wait_for("the student's notes shown in the lesson", lambda: page.get_by_text(NOTES).count() > 0,
             deadline.left(15))
    assert not errors_shown(page)
