"""The lessons teach real PyTorch: each lesson prints the same with PyTorch as with tutorgrad.

For every ``notebooks/*.ipynb`` the code cells run twice, each time top to bottom in a fresh
Jupyter kernel (the two kernels run side by side):

* as written: ``import tutorgrad as torch``;
* with real PyTorch: every import *from* tutorgrad is rewritten to import from torch
  (``import tutorgrad as torch`` -> ``import torch``, ``from tutorgrad.nn import X`` ->
  ``from torch.nn import X``). Only ``tutorgrad.lessons`` (the exercises) stays: the exercise
  checkers take PyTorch tensors as well, and they check answers rather than compute the lesson's
  results.

Cells tagged ``tutorgrad-only`` (``viz`` drawings and widgets) are left out of both runs.
Each cell's text output (stdout, stderr, the ``text/plain`` of results and displays, the
``Name: message`` of errors) must be the same in both runs, once the module name is read the
same way (``tutorgrad.float32`` as ``torch.float32``) and memory addresses are dropped.

Numbers are compared as numbers (``tests/printed_numbers.py``): PyTorch's and NumPy's CPU kernels
differ by processor, so the last printed digit of a float32 result may round either way. By default
the tolerance is float32 rounding of a direct computation. A cell that prints the outcome of a long
computation (a training loop) may declare a looser one, with its reason, in its metadata::

    "tutorgrad": {"numbers": {"rtol": 0.05, "atol": 0.0001, "reason": "the loss after 500 Adam steps"}}

The PyTorch run must really be PyTorch: a cell that names ``tutorgrad`` other than in those
imports fails the test, and after the run no variable may hold a tutorgrad object other than
exercise checkers. The tutorgrad run must not import torch.
"""
import asyncio
import difflib
import io
import json
import os
import re
import shutil
import tokenize
from pathlib import Path

import pytest

from printed_numbers import TIGHT, Tolerance, differences

pytest.importorskip("torch")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SKIP_TAG = "tutorgrad-only"
CELL_TIMEOUT = 120  # seconds per cell: generous, a hang still ends

# `import tutorgrad as torch`, `import tutorgrad.nn as nn`, `from tutorgrad.nn import Linear`;
# tutorgrad.lessons (the exercises) stays (see the module docstring).
IMPORT_AS = re.compile(r"^(\s*)import\s+tutorgrad((?:\.\w+)*)(\s+as\s+\w+)", re.M)
FROM_IMPORT = re.compile(r"^(\s*)from\s+tutorgrad((?:\.\w+)*)(\s+import\b)", re.M)
KEPT = ".lessons"

# Run last on each side: what the run really used.
PROBE = """
import inspect as _inspect, json as _json, sys as _sys
def _origin(_v):
    if _inspect.ismodule(_v):
        return _v.__name__
    if _inspect.isclass(_v) or _inspect.isfunction(_v) or _inspect.isbuiltin(_v):
        return getattr(_v, "__module__", None) or ""
    return type(_v).__module__ or ""
print(_json.dumps({
    "torch_imported": "torch" in _sys.modules,
    "tutorgrad_names": sorted(_k for _k, _v in list(globals().items())
                              if not _k.startswith("_") and _origin(_v).split(".")[0] == "tutorgrad"
                              and not _origin(_v).startswith("tutorgrad.lessons")),
}))
"""


def to_pytorch(source):
    """The cell with its tutorgrad imports made PyTorch imports (tutorgrad.lessons kept)."""
    def swap(keyword):
        return lambda m: m.group(0) if m.group(2).startswith(KEPT) else \
            f"{m.group(1)}{keyword} torch{m.group(2)}{m.group(3)}"

    source = IMPORT_AS.sub(swap("import"), source)
    source = FROM_IMPORT.sub(swap("from"), source)
    # `import torch as torch` reads oddly in a diff; it is the same statement as `import torch`.
    return re.sub(r"^(\s*)import torch as torch\b", r"\1import torch", source, flags=re.M)


def tutorgrad_mentions(source):
    """Lines of the (rewritten) cell that still use the name ``tutorgrad`` in code."""
    keep = re.compile(rf"^\s*(from\s+tutorgrad{re.escape(KEPT)}\b|import\s+tutorgrad{re.escape(KEPT)}\b)")
    lines = source.splitlines()
    try:
        rows = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.NAME and tok.string == "tutorgrad"}
    except (tokenize.TokenError, SyntaxError, IndentationError):  # IPython syntax (magics): plain search
        rows = {i + 1 for i, line in enumerate(lines) if re.search(r"\btutorgrad\b", line.split("#")[0])}
    return [lines[r - 1].strip() for r in sorted(rows) if not keep.match(lines[r - 1])]


def tolerance(cell):
    """The tolerance for the numbers a cell prints: tight, or the looser one the cell declares (and why)."""
    declared = cell.metadata.get("tutorgrad", {}).get("numbers")
    if declared is None:
        return TIGHT
    unknown = set(declared) - {"rtol", "atol", "reason"}
    assert not unknown, f"unknown keys in the cell's tutorgrad.numbers metadata: {sorted(unknown)}"
    assert str(declared.get("reason", "")).strip(), "a cell that loosens the tolerance must say why (reason)"
    return Tolerance(rtol=float(declared.get("rtol", TIGHT.rtol)), atol=float(declared.get("atol", TIGHT.atol)),
                     reason=declared["reason"])


def runnable(path, pytorch):
    """The lesson's code cells (outputs cleared, tagged cells left out, PyTorch imports if ``pytorch``)
    with the probe appended, and each kept cell's number among the lesson's code cells (1-based)."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    kept = [(n, c) for n, c in enumerate(code, 1) if SKIP_TAG not in c.metadata.get("tags", [])]
    nb.cells = [c for _, c in kept]
    for cell in nb.cells:
        cell.outputs, cell.execution_count = [], None
        if pytorch:
            cell.source = to_pytorch(cell.source)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    return nb, [n for n, _ in kept]


# --- what a cell shows, as text ------------------------------------------------------------------

def _normalise(text):
    text = re.sub(r"\btutorgrad(?=\.|::)", "torch", text)   # tutorgrad.float32 reads as torch.float32
    text = re.sub(r"'tutorgrad'", "'torch'", text)
    text = re.sub(r"\s+at\s+0x[0-9a-fA-F]+", "", text)        # <MulBackward0 object at 0x7f...>
    return text


def _stderr(text):
    """Warnings without the file and line they were raised from (library paths differ)."""
    text = re.sub(r"(?m)^\S+?\.py:\d+: (\w+(?:Warning|Error)): (.*)\n(?:  .*\n)?", r"\1: \2\n", text)
    return _normalise(text)


def shown(cell):
    """The cell's outputs as one text, the way a notebook shows them (adjacent streams merged)."""
    blocks = []
    for out in cell.outputs:
        kind, text = out.output_type, ""
        if kind == "stream":
            kind, text = out.name, out.text
        elif kind in ("execute_result", "display_data"):
            kind, text = ("out" if kind == "execute_result" else "display"), out.data.get("text/plain", "")
            text += "\n"
        elif kind == "error":
            text = f"{out.ename}: {out.evalue}\n"
        if blocks and blocks[-1][0] == kind and kind in ("stdout", "stderr"):
            blocks[-1][1] += text
        else:
            blocks.append([kind, text])
    return "".join(f"[{kind}]\n" + (_stderr(text) if kind == "stderr" else _normalise(text))
                   for kind, text in blocks)


# --- running both sides ------------------------------------------------------------------------

def execute_both(path, workdir):
    """Run the lesson with tutorgrad and with PyTorch at the same time; return both notebooks."""
    runs = {}
    for side, pytorch in (("tutorgrad", False), ("torch", True)):
        nb, numbers = runnable(path, pytorch)
        cwd = workdir / side  # each run gets its own copy of notebooks/: files a lesson writes do not clash
        shutil.copytree(path.parent, cwd, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=120, allow_errors=True,
                                         kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
        runs[side] = (nb, client)

    # The kernels get a student's environment: no MPLBACKEND from `make test` (a notebook shows plots inline).
    # The two run side by side, on a machine that may have two cores: one thread each, or PyTorch's OpenMP
    # threads spin while they wait for a core and the PyTorch run of a training loop takes 20 times longer.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")

    async def both():
        await asyncio.gather(*(client.async_execute(env=env) for _, client in runs.values()))

    asyncio.run(both())
    return runs["tutorgrad"][0], runs["torch"][0], numbers


def probe(nb, side):
    cell = nb.cells[-1]
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    assert text.strip(), f"{side} run: the final probe printed nothing; outputs: {cell.outputs}"
    return json.loads(text.strip().splitlines()[-1])


def _head(source, lines=4):
    rows = source.strip().splitlines()
    return "\n".join("    | " + r for r in rows[:lines]) + ("\n    | ..." if len(rows) > lines else "")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_prints_the_same_with_pytorch(path, tmp_path):
    nb_torch, numbers = runnable(path, pytorch=True)
    named = [(n, lines) for n, c in zip(numbers, nb_torch.cells) if (lines := tutorgrad_mentions(c.source))]
    assert not named, (
        f"{path.name}: these code cells use the name tutorgrad, so they cannot run as PyTorch code; "
        f"write them with `torch` (the lesson imports tutorgrad as torch) or tag them {SKIP_TAG!r}:\n"
        + "\n".join(f"  code cell {n}: {', '.join(lines)}" for n, lines in named))

    ours, theirs, numbers = execute_both(path, tmp_path)

    used = probe(theirs, "PyTorch")
    assert not used["tutorgrad_names"], (
        f"{path.name}: after the PyTorch run these variables still hold tutorgrad objects, so part of the "
        f"lesson did not run on PyTorch: {used['tutorgrad_names']}")
    assert not probe(ours, "tutorgrad")["torch_imported"], (
        f"{path.name}: the tutorgrad run imported torch, so it is not a tutorgrad-only run")

    compared, diffs = 0, []
    for number, a, b in zip(numbers, ours.cells[:-1], theirs.cells[:-1]):
        got, want = shown(a), shown(b)
        compared += bool(got or want)
        within = tolerance(a)
        if found := differences(got, want, within):
            diff = difflib.unified_diff(got.splitlines(), want.splitlines(), "tutorgrad", "PyTorch", lineterm="")
            why = "" if within is TIGHT else f" (the cell allows rtol {within.rtol:g}, atol {within.atol:g}: " \
                                             f"{within.reason})"
            diffs.append(f"code cell {number}{why}:\n{_head(b.source)}\n" + "\n".join("    " + d for d in diff)
                         + "\n" + "\n".join("    => " + f for f in found))
    assert compared, f"{path.name}: no code cell (outside {SKIP_TAG!r}) printed anything, nothing was compared"
    assert not diffs, (
        f"{path.name}: {len(diffs)} of {len(numbers)} code cells print something else with real PyTorch "
        f"(- tutorgrad, + PyTorch; tutorgrad's text with `tutorgrad.` read as `torch.`; code as run with "
        f"PyTorch; numbers compared as numbers). A cell that needs a tutorgrad-only helper (viz) must be "
        f"tagged {SKIP_TAG!r}.\n\n"
        + "\n\n".join(diffs))
