"""The computation-graph lesson works in a real browser: JupyterLab, Run All, move a slider.

A fresh JupyterLab server (127.0.0.1, random port, token, its own config, settings and
workspace folders) serves a temporary copy of ``notebooks/`` with the outputs stripped, so
everything the test sees was produced by this run and the committed files are not touched.
Headless Debian Chromium, driven by Playwright, opens the lesson, waits for a connected idle
kernel (Run All races the kernel otherwise), runs all cells from the Run menu and checks what a
student sees: a graph drawing, the explorer's slider, graph and plot, no error anywhere. Then it
presses the arrow key on the explorer's first slider and checks the gradient shown: the expected
value comes from the lesson's own function, run with tutorgrad in a separate process (and
checked against a central difference in float64). A screenshot goes to ``test-artifacts/``.

Before that it opens the lesson with its stored outputs, never trusted (as in a fresh clone or a
download, where JupyterLab hides stored SVG), and checks that every stored graph drawing shows, as
the PNG stored beside its SVG (``make lessons`` stores them; tests/test_viz.py checks every lesson has them).

Needs ``/usr/bin/chromium`` (``sudo apt-get install chromium``) and the ``playwright`` pip
package; ``playwright install`` is not needed. Without them the test skips and says so.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSON = "05-computation-graph.ipynb"
STORED = "05-computation-graph-as-stored.ipynb"  # the lesson with its committed outputs, as a fresh clone has it
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = ROOT / "test-artifacts" / f"browser-{Path(LESSON).stem}.png"
STORED_SCREENSHOT = ROOT / "test-artifacts" / f"browser-{Path(STORED).stem}.png"
BUDGET = 115  # seconds for the whole test; every wait below is bounded by what is left of it

pytestmark = pytest.mark.browser


def _require_browser():
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"no {CHROMIUM} (install it: sudo apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("no playwright package (install it: pip install playwright; "
                       "`playwright install` is not needed, the test uses Debian's chromium)")
    if missing:
        pytest.skip("browser test: " + "; ".join(missing))


class Deadline:
    """The time budget, and when each phase ended (printed with the test's output, for diagnosis)."""

    def __init__(self, seconds):
        self.start = time.monotonic()
        self.end = self.start + seconds
        self.marks = []

    def mark(self, phase):
        self.marks.append(f"{phase} {time.monotonic() - self.start:.1f} s")

    def left(self, cap):
        """Seconds for the next wait: at most ``cap``, never past the deadline."""
        return max(0.0, min(cap, self.end - time.monotonic()))


def wait_for(what, check, timeout, interval=0.25, detail=None):
    """Poll ``check()`` until it returns something truthy; after ``timeout`` seconds fail, saying
    ``what`` was awaited and, if given, what ``detail()`` returns (what was seen instead)."""
    end = time.monotonic() + timeout
    last = None
    while True:
        try:
            result = check()
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            result, last = None, e
        if result:
            return result
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}"
                        + (f" (last error: {last})" if last else "") + (f"; instead: {detail()}" if detail else ""))
        time.sleep(interval)


# --- the JupyterLab server ---------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _strip_outputs(path):
    """Remove stored outputs and widget state: what the browser shows must come from this run."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb["metadata"].pop("widgets", None)
    path.write_text(json.dumps(nb, indent=1))


class Lab:
    """A JupyterLab server of our own; ``stop()`` shuts it (and its kernels) down."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.root = workdir / "notebooks"
        shutil.copytree(ROOT / "notebooks", self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for nb in self.root.glob("*.ipynb"):
            _strip_outputs(nb)
        settings = workdir / "settings"
        # JupyterLab 4 only renders cells near the viewport; "none" keeps every cell in the page.
        tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True)
        tracker.write_text(json.dumps({"windowingMode": "none"}))
        # No "get notified about Jupyter news?" pop-up (what binder/ and `make lab` also switch off).
        page_config = workdir / "config" / "labconfig" / "page_config.json"
        page_config.parent.mkdir(parents=True)
        page_config.write_text(json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               "--ServerApp.open_browser=False", f"--ServerApp.root_dir={self.root}",
               "--ServerApp.terminals_enabled=False", f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={workdir / 'workspaces'}", "--LabApp.news_url=None"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(workdir / "config"), JUPYTER_DATA_DIR=str(workdir / "data"),
                   JUPYTER_RUNTIME_DIR=str(workdir / "runtime"), PYTHONPATH=str(ROOT))
        for name in ("JUPYTER_TOKEN", "MPLBACKEND"):  # our token; plots inline, as for a student
            env.pop(name, None)
        self.log = workdir / "jupyterlab.log"
        with open(self.log, "w") as log:
            # Its own process group: stop() can end the server and anything it left behind, and only that.
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=env, cwd=workdir, start_new_session=True)

    def api(self, path, method="GET"):
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log_tail(self, lines=40):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_up(self, timeout):
        def up():
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            return self.api("/api/status")
        wait_for(f"JupyterLab to answer on {self.url}", up, timeout)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.api("/api/shutdown", method="POST")  # shuts the kernels down too
                self.proc.wait(15)
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


@pytest.fixture
def lab(tmp_path):
    _require_browser()
    if not (ROOT / "notebooks" / LESSON).exists():
        pytest.fail(f"the computation-graph lesson notebooks/{LESSON} does not exist; the browser test checks it")
    server = Lab(tmp_path)
    try:
        yield server
    finally:
        server.stop()


# --- what the lesson's explorer should show, computed with tutorgrad -----------------------------

# Runs the lesson's code cells in a plain IPython shell until the first viz.explore(...) call, then
# computes, with the lesson's function, the output and gradients at the explorer's start and after
# a few slider steps (the first move that changes a gradient), plus a float64 central difference.
ORACLE = r"""
import contextlib, io, json, sys
import ipywidgets
import nbformat
from IPython.core.interactiveshell import InteractiveShell
import tutorgrad
from tutorgrad import viz

calls = []
real_explore = viz.explore
def explore(fn, **ranges):
    widget = real_explore(fn, **ranges)
    calls.append((fn, widget))
    return widget
viz.explore = explore

shell = InteractiveShell.instance()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    for cell in nbformat.read(sys.argv[1], as_version=4).cells:
        if cell.cell_type == "code":
            shell.run_cell(cell.source, silent=True).raise_error()
            if calls:
                break
if not calls:
    sys.exit("the lesson never calls viz.explore(...)")
fn, widget = calls[0]

def sliders(w):
    if isinstance(w, (ipywidgets.FloatSlider, ipywidgets.IntSlider)):
        yield w
    for child in getattr(w, "children", ()):
        yield from sliders(child)

spec = [dict(name=s.description, min=s.min, max=s.max, step=s.step, value=s.value) for s in sliders(widget)]

def at(values):
    inputs = {n: tutorgrad.tensor(float(v), requires_grad=True) for n, v in values.items()}
    out = fn(**inputs)
    out.backward()
    return {"values": values, "f": out.item(),
            "grads": {n: (t.grad.item() if t.grad is not None else None) for n, t in inputs.items()}}

def central_difference(values, name, h=1e-5):
    def f(v):
        args = {n: tutorgrad.tensor(float(v if n == name else x), dtype=tutorgrad.float64) for n, x in values.items()}
        return fn(**args).item()
    return (f(values[name] + h) - f(values[name] - h)) / (2 * h)

def differs(a, b):
    return a is None or b is None or abs(a - b) > 1e-3 * max(1.0, abs(a), abs(b))

first = spec[0]
start = at({s["name"]: s["value"] for s in spec})
for k in (5, -5, 10, -10, 2, -2, 1, -1):
    v = first["value"] + k * first["step"]
    if first["min"] <= v <= first["max"]:
        target = at(dict(start["values"], **{first["name"]: v}))
        if any(differs(target["grads"][n], start["grads"][n]) for n in target["grads"]):
            break
else:
    sys.exit(f"no move of slider {first['name']} changes a gradient")
target["central_difference"] = central_difference(target["values"], first["name"])
print(json.dumps({"sliders": spec, "start": start, "steps": k, "target": target}))
"""


def start_oracle(lesson, workdir):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", ORACLE, str(lesson)], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def oracle_result(proc, timeout):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"computing the expected values from {LESSON} took more than {timeout:.0f} s")
    assert proc.returncode == 0, f"computing the expected values from {LESSON} failed:\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


# --- reading the page --------------------------------------------------------------------------

def prompts(page):
    return page.eval_on_selector_all(".jp-Notebook .jp-CodeCell .jp-InputPrompt",
                                     "els => els.map(e => e.textContent.trim())")


def errors_shown(page):
    """Texts of every error or stderr output in the notebook (tracebacks, warnings)."""
    return page.eval_on_selector_all(
        '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]', "els => els.map(e => e.innerText)")


def readout(explorer):
    """``({name: value}, f, {name: grad})`` as the explorer shows them (None where not shown yet)."""
    text = explorer.inner_text()
    call = re.search(r"f\(([^)]*)\)\s*=\s*(\S+)", text)
    values = {n: float(v) for n, v in re.findall(r"(\w+)=([-+0-9.e]+)", call.group(1))} if call else {}
    grads = {n: (None if g == "None" else float(g)) for n, g in re.findall(r"(\w+)\.grad = (\S+)", text)}
    return values, (float(call.group(2)) if call else None), grads, text


def close(a, b, rel):
    return a is not None and b is not None and abs(a - b) <= rel * max(1.0, abs(b))


def shows(explorer, expected):
    """True if the explorer shows ``expected``'s slider values, output and gradients."""
    values, f, grads, _ = readout(explorer)
    want = expected["grads"]
    return (values.keys() == expected["values"].keys()
            and all(close(values[n], v, 1e-3) for n, v in expected["values"].items())
            and close(f, expected["f"], 1e-4)
            and grads.keys() == want.keys()
            and all(grads[n] is None if g is None else close(grads[n], g, 1e-4) for n, g in want.items()))


def visible_image(locator):
    """True if the first match is visible and its picture has been decoded (not a broken image)."""
    return locator.count() > 0 and locator.first.is_visible() and \
        locator.first.evaluate("img => img.complete && img.naturalWidth > 0")


def drawings(nb):
    """The stored graph drawings of a notebook: its outputs that hold an SVG."""
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
            if "image/svg+xml" in o.get("data", {})]


def prepare_stored(lab):
    """Put the lesson with its committed outputs beside the stripped copies."""
    shutil.copy(ROOT / "notebooks" / LESSON, lab.root / STORED)


def test_computation_graph_lesson_in_a_real_browser(lab, tmp_path):
    deadline = Deadline(BUDGET)
    oracle = start_oracle(lab.root / LESSON, tmp_path)   # runs while the server starts
    prepare_stored(lab)
    try:
        lab.wait_until_up(deadline.left(45))
        deadline.mark("server up")
        tracker = lab.api("/lab/api/settings/@jupyterlab/notebook-extension:tracker")["settings"]
        assert tracker.get("windowingMode") == "none", f"JupyterLab did not take windowingMode=none: {tracker}"
        browse(lab, tmp_path, deadline, oracle)
    finally:
        print("phases:", ", ".join(deadline.marks))
        if oracle.poll() is None:
            oracle.kill()
            oracle.communicate()


def browse(lab, tmp_path, deadline, oracle):
    """Open the lesson in Chromium, run and check it; save a screenshot whatever happens."""
    from playwright.sync_api import sync_playwright

    code_cells = sum(c["cell_type"] == "code" for c in json.loads((lab.root / LESSON).read_text())["cells"])
    page_errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = browser.pages[0] if browser.pages else browser.new_page()
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("dialog", lambda dialog: dialog.accept())  # ("leave the page?" when going to the next lesson)
            page.set_default_timeout(30_000)
            page.goto(f"{lab.url}/lab/tree/{STORED}?reset&token={lab.token}", timeout=deadline.left(45) * 1000)
            try:
                check_stored_drawings(page, lab, deadline)
            finally:
                STORED_SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(STORED_SCREENSHOT))
            page.goto(f"{lab.url}/lab/tree/{LESSON}?reset&token={lab.token}", timeout=deadline.left(45) * 1000)
            try:
                run_and_check(page, lab, deadline, code_cells, oracle)
            finally:
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOT))
        except BaseException:
            print(f"--- JupyterLab log (last lines) ---\n{lab.log_tail()}\n--- page errors ---\n{page_errors}")
            raise
        finally:
            browser.close()


def check_stored_drawings(page, lab, deadline):
    """0. The lesson as committed, not trusted: each stored drawing shows as an image, at its drawing's size."""
    expected = drawings(json.loads((lab.root / STORED).read_text()))
    assert expected, f"{LESSON} has no stored graph drawing to check"
    cells = lab.api(f"/api/contents/{STORED}")["content"]["cells"]
    assert not any(c["metadata"].get("trusted") for c in cells if c["cell_type"] == "code"), \
        f"the server trusts {STORED}: this check needs an untrusted notebook, as a fresh clone is"
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=deadline.left(45) * 1000)
    images = page.locator('.jp-Notebook .jp-OutputArea-output[data-mime-type="image/png"] img')
    wait_for(f"the {len(expected)} stored graph drawings of {LESSON}, untrusted, shown as images",
             lambda: images.count() >= len(expected), deadline.left(20),
             detail=lambda: f"{images.count()} images; outputs shown as " + ", ".join(page.eval_on_selector_all(
                 ".jp-Notebook .jp-OutputArea-output", "els => els.map(e => e.dataset.mimeType)")))
    shown_widths = []
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.is_visible() and image.evaluate("img => img.complete && img.naturalWidth > 0"), \
            f"stored drawing {i + 1} of {LESSON} did not render (an empty or broken image)"
        shown_widths.append(image.evaluate("img => img.getBoundingClientRect().width"))
    for o in expected:
        width = o["metadata"]["image/png"]["width"]
        assert any(abs(w - width) <= 2 for w in shown_widths), f"no drawing shown {width} px wide: {shown_widths}"
    # JupyterLab prefers SVG where it trusts the output: none shown means it really treated the lesson as untrusted
    assert page.locator('.jp-Notebook [data-mime-type="image/svg+xml"]').count() == 0
    deadline.mark("stored drawings shown")


def run_and_check(page, lab, deadline, code_cells, oracle):
    # 1. The notebook is open, every cell is in the page, the kernel is connected and idle.
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=deadline.left(45) * 1000)
    wait_for(f"all {code_cells} code cells in the page (windowing off)",
             lambda: len(prompts(page)) == code_cells, deadline.left(20))

    def kernel_ready():
        sessions = [s for s in lab.api("/api/sessions") if s["path"].endswith(LESSON)]
        kernels = {k["id"]: k for k in lab.api("/api/kernels")}
        return any(kernels.get(s["kernel"]["id"], {}).get("execution_state") == "idle"
                   and kernels[s["kernel"]["id"]]["connections"] > 0 for s in sessions)
    wait_for("a connected idle kernel for the lesson (/api/kernels)", kernel_ready, deadline.left(45))
    deadline.mark("kernel idle")

    # 2. Run All, as a student would: Run menu -> Run All Cells (the file browser closed: a wider page).
    file_browser_tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if file_browser_tab.count():
        file_browser_tab.first.click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    def finished():
        errors = errors_shown(page)
        if errors:  # Run All stops at an error: report it instead of waiting
            pytest.fail(f"{LESSON}: a cell shows an error or a warning:\n\n" + "\n\n".join(errors))
        shown = prompts(page)
        done = all(re.fullmatch(r"\[\d+\]:", s) for s in shown)
        return done and len({*shown}) == len(shown) and kernel_ready()
    wait_for(f"Run All to finish ({code_cells} code cells)", finished, deadline.left(60),
             detail=lambda: f"prompts {prompts(page)}")
    deadline.mark("Run All done")

    # 3. What a student sees: a graph drawing, and the explorer with slider, live graph and plot.
    drawing = page.locator('.jp-Notebook [data-mime-type="image/svg+xml"]')
    assert drawing.count() > 0, f"{LESSON}: no graph drawing (image/svg+xml output) after Run All"
    drawing.first.scroll_into_view_if_needed()
    assert drawing.first.is_visible(), "the first graph drawing is not visible"
    img = drawing.first.locator("img")
    if img.count():  # JupyterLab shows SVG outputs as an <img>; it must have decoded
        assert visible_image(img), "the graph drawing did not render (an empty or broken image)"
    else:
        assert drawing.first.locator("svg").first.is_visible(), "the graph drawing has no visible SVG"

    explorer = page.locator(".jp-Notebook .jp-OutputArea-output:has(.widget-slider)",
                            has_text=re.compile(r"\.grad = ")).first
    wait_for("the explorer widget (slider with a .grad readout)", lambda: explorer.count() > 0, deadline.left(15))
    explorer.scroll_into_view_if_needed()
    slider = explorer.locator(".widget-slider").first
    graph = explorer.locator("svg:has(g.node)").first
    plot = explorer.locator("img")
    assert slider.is_visible(), "the explorer's slider is not visible"
    assert graph.is_visible(), "the explorer's graph (SVG) is not visible"
    assert visible_image(plot), "the explorer's plot (an image) is not visible or did not render"

    expected = oracle_result(oracle, deadline.left(30))
    names = [s["name"] for s in expected["sliders"]]
    sliders_shown = explorer.locator(".widget-slider .widget-label").all_inner_texts()
    assert sliders_shown == names, f"explorer sliders {sliders_shown}, but the lesson's explore() has {names}"
    start, target, steps = expected["start"], expected["target"], expected["steps"]
    assert close(target["grads"][names[0]], target["central_difference"], 1e-3), (
        f"tutorgrad's gradient {target['grads'][names[0]]} disagrees with the central difference "
        f"{target['central_difference']}: the expected value itself is wrong")
    wait_for(f"the explorer to show the start {start}", lambda: shows(explorer, start), deadline.left(15),
             detail=lambda: readout(explorer)[3])

    def plot_html():  # the plot: the image and whatever is drawn over it (the point and the tangent)
        return plot.first.evaluate("img => img.parentElement.innerHTML")

    graph_before, plot_before = graph.inner_html(), plot_html()

    # 4. Move the first slider with the keyboard and check the new gradient.
    handle = slider.locator("[role=slider]")
    handle.focus()
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    wait_for(f"the explorer to show {target} after {steps:+d} steps of slider {names[0]}",
             lambda: shows(explorer, target), deadline.left(30), detail=lambda: readout(explorer)[3])
    deadline.mark("slider checked")
    grads = readout(explorer)[2]
    assert any(not close(grads[n], start["grads"][n], 1e-4) for n in names if start["grads"][n] is not None), \
        f"the shown gradients did not change: {grads}"
    assert graph.inner_html() != graph_before, "the explorer's graph did not change when the slider moved"
    assert plot_html() != plot_before, "the explorer's plot did not change when the slider moved"

    # 5. No cell shows an error, and every cell ran.
    errors = errors_shown(page)
    assert not errors, f"{LESSON}: cells show errors or warnings:\n\n" + "\n\n".join(errors)
    assert "error:" not in readout(explorer)[3], f"the explorer shows an error: {readout(explorer)[3]}"
    assert all(re.fullmatch(r"\[\d+\]:", s) for s in prompts(page)), f"not every cell ran: {prompts(page)}"


# --- every lesson: Run All in the browser, and every picture renders ---------------------------

ALL_LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LESSON_BUDGET = 150  # seconds per lesson, Run All included


def expected_pictures(lesson):
    """Per code cell of the stored lesson: how many pictures (a PNG, or a drawing stored as SVG and PNG, of which
    JupyterLab shows one) and widgets it shows."""
    cells = [c for c in json.loads((ROOT / "notebooks" / lesson).read_text())["cells"] if c["cell_type"] == "code"]
    wanted = []
    for cell in cells:
        data = [o.get("data", {}) for o in cell.get("outputs", []) if o["output_type"] in ("display_data",
                                                                                           "execute_result")]
        drawings = "\n".join("".join(d.get("text/plain", "")) for d in data if "image/svg+xml" in d)
        wanted.append({"picture": sum(("image/png" in d or "image/svg+xml" in d)
                                      and "application/vnd.jupyter.widget-view+json" not in d for d in data),
                       "widget": sum("application/vnd.jupyter.widget-view+json" in d for d in data),
                       # what the graph drawings' text form says of each node: "value 0.5000", "grad 1.0806"
                       "labels": sorted(set(re.findall(r"\b(?:value|grad) (?:\[[^]]*\]|\S+)", drawings)))})
    return wanted


def shown_pictures(page):
    """Per code cell in the page: pictures shown (decoded PNG images, visible SVG drawings), rendered widgets,
    images that failed to decode, and the texts written in its graph drawings."""
    return page.eval_on_selector_all(".jp-Notebook .jp-CodeCell", """
      async cells => Promise.all(cells.map(async cell => {
        const decoded = img => img.complete && img.naturalWidth > 0;
        const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
        const isWidget = o => o.matches('.jupyter-widgets') || !!o.querySelector('.jupyter-widgets');
        const pictures = outputs.filter(o => !isWidget(o)).filter(o => {
            const img = o.querySelector('img');
            if (img) return decoded(img);
            const svg = o.querySelector('svg');
            return !!svg && svg.getBoundingClientRect().width > 0;
        });
        const widgets = outputs.filter(isWidget);
        const texts = [];
        for (const o of cell.querySelectorAll('[data-mime-type="image/svg+xml"]')) {
            let svg = o.querySelector('svg');
            const img = o.querySelector('img');
            if (!svg && img) {  // JupyterLab may show an SVG output as an <img>: read the picture it shows
                const source = await (await fetch(img.src)).text();
                svg = new DOMParser().parseFromString(source, 'image/svg+xml');
            }
            if (svg) texts.push(...[...svg.querySelectorAll('text')].map(t => t.textContent.trim()));
        }
        return {picture: pictures.length, widget: widgets.length, texts: texts,
                broken: [...cell.querySelectorAll('.jp-OutputArea img')].filter(i => !decoded(i)).length};
    }))""")


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory):
    _require_browser()
    server = Lab(tmp_path_factory.mktemp("lab"))
    try:
        server.wait_until_up(45)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    _require_browser()
    from playwright.sync_api import sync_playwright

    p = sync_playwright().start()
    browser = p.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000})
    try:
        yield browser
    finally:
        browser.close()
        p.stop()


@pytest.mark.parametrize("lesson", ALL_LESSONS)
def test_every_lesson_runs_in_a_real_browser_and_its_pictures_render(lesson, shared_lab, chromium):
    """Run All, as a student would, in JupyterLab in Chromium: no error or warning shows, every cell runs, and
    every picture the stored lesson shows (matplotlib PNGs, graph drawings, widgets) is there and decoded."""
    lab, deadline = shared_lab, Deadline(LESSON_BUDGET)
    page = chromium.new_page()
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.set_default_timeout(30_000)
    screenshot = ROOT / "test-artifacts" / f"browser-{Path(lesson).stem}.png"
    try:
        page.goto(f"{lab.url}/lab/tree/{lesson}?reset&token={lab.token}", timeout=deadline.left(45) * 1000)
        wanted = expected_pictures(lesson)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=deadline.left(45) * 1000)
        wait_for(f"all {len(wanted)} code cells of {lesson} in the page", lambda: len(prompts(page)) == len(wanted),
                 deadline.left(20))

        def kernel_ready():
            sessions = [s for s in lab.api("/api/sessions") if s["path"].endswith(lesson)]
            kernels = {k["id"]: k for k in lab.api("/api/kernels")}
            return any(kernels.get(s["kernel"]["id"], {}).get("execution_state") == "idle"
                       and kernels[s["kernel"]["id"]]["connections"] > 0 for s in sessions)
        wait_for(f"a connected idle kernel for {lesson}", kernel_ready, deadline.left(45))

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        def finished():
            errors = errors_shown(page)
            if errors:
                pytest.fail(f"{lesson}: a cell shows an error or a warning:\n\n" + "\n\n".join(errors))
            shown = prompts(page)
            return all(re.fullmatch(r"\[\d+\]:", s) for s in shown) and len({*shown}) == len(shown) and kernel_ready()
        wait_for(f"Run All of {lesson} to finish", finished, deadline.left(LESSON_BUDGET),
                 detail=lambda: f"prompts {prompts(page)}")

        def pictures_in_place():
            shown = shown_pictures(page)
            missing = [k for k, (w, s) in enumerate(zip(wanted, shown)) if s["picture"] < w["picture"]
                       or s["widget"] < w["widget"] or set(w["labels"]) - set(s["texts"])]
            return not missing and not any(s["broken"] for s in shown)

        def what_is_missing():
            return [(f"code cell {k + 1}", {key: w[key] for key in ("picture", "widget")},
                     {key: s[key] for key in ("picture", "widget", "broken")},
                     "drawn without: " + ", ".join(sorted(set(w["labels"]) - set(s["texts"]))))
                    for k, (w, s) in enumerate(zip(wanted, shown_pictures(page)))
                    if s["picture"] < w["picture"] or s["widget"] < w["widget"] or s["broken"]
                    or set(w["labels"]) - set(s["texts"])]
        # every picture, widget and graph drawing is there, and each drawing shows every value and gradient
        # its text form lists (inside viz.trace(): every node's)
        wait_for(f"every picture of {lesson} to render", pictures_in_place, deadline.left(20), detail=what_is_missing)
        assert not errors_shown(page)
    finally:
        screenshot.parent.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(screenshot), full_page=False)
        finally:
            page.close(run_before_unload=False)
            for session in lab.api("/api/sessions"):  # one kernel at a time on a 2-core machine
                lab.api(f"/api/sessions/{session['id']}", method="DELETE")
        if page_errors:
            print(f"{lesson}: page errors: {page_errors}")
