"""Re-execute the lessons and store their outputs: ``make lessons`` (or ``python tools/run_lessons.py [NOTEBOOK...]``).

Each notebook runs top to bottom in a fresh ``python3`` kernel (nbclient), from ``notebooks/``, with this
checkout's ``tutorgrad`` first on the path, one BLAS thread and no ``MPLBACKEND`` (plots inline, as a student
sees them). Outputs and widget state are replaced; no timing metadata is written, and the files are **not**
trusted (``jupyter trust`` is not run): what is committed is what a fresh clone gets, and the tests check
that an untrusted lesson still shows its drawings (each graph drawing stores a PNG beside its SVG).

A cell that raises stops the run with the cell's error (tag a cell ``raises-exception`` if it is meant to
raise). Run ``make test`` afterwards: nbval compares the stored outputs with a fresh run.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 600  # seconds per cell


def kernel_env():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    for name in ("MPLBACKEND", "JPY_PARENT_PID"):
        env.pop(name, None)
    return env


def run(path):
    """Execute one notebook in place."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)  # timestamps of an earlier run
    nb.metadata.pop("widgets", None)
    client = NotebookClient(nb, kernel_name="python3", timeout=TIMEOUT, startup_timeout=120, record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=kernel_env())
    nbformat.validate(nb)
    path.write_text(stable_widget_ids(nbformat.writes(nb), nb, path.stem), encoding="utf-8")


def stable_widget_ids(text, nb, name):
    """The notebook's text with its widget model ids (random UUIDs) renamed in a fixed order, so that running a
    lesson again changes nothing that did not change: the models shown by the outputs, in cell order, each
    followed by the models it refers to (depth first), then any others by their content."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    refs = {m: re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(s, sort_keys=True)) for m, s in state.items()}
    shown = [o.data["application/vnd.jupyter.widget-view+json"]["model_id"] for c in nb.cells
             for o in c.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    order = {}

    def visit(model):
        if model in state and model not in order:
            order[model] = len(order)
            for ref in refs[model]:
                visit(ref)
    for model in shown:
        visit(model)
    masked = {m: re.sub(r"[0-9a-f]{32}", "", json.dumps(state[m], sort_keys=True)) for m in state}
    for model in sorted(set(state) - set(order), key=masked.get):
        visit(model)
    for model, i in order.items():
        text = text.replace(model, hashlib.sha256(f"{name}/{i}".encode()).hexdigest()[:32])
    return nbformat.writes(nbformat.reads(text, as_version=4))  # (sorted again, by the new ids)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        start = time.monotonic()
        print(f"{path.name} ...", end=" ", flush=True)
        run(path.resolve())
        print(f"{time.monotonic() - start:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
