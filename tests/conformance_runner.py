"""Run a script's cells in order, in one namespace, with PyTorch or with tutorgrad standing in for it.

    python tests/conformance_runner.py torch|tutorgrad cells.json result.json

``cells.json`` holds the cells' source texts. For each cell, ``result.json`` gets what it printed: stdout,
then each warning as ``Category: message``, then an uncaught error as ``Name: message`` (the next cell
still runs, as in a notebook). With ``tutorgrad`` every ``torch`` / ``torch.x`` module *is* the
``tutorgrad`` / ``tutorgrad.x`` module, so the script's own ``import torch`` lines run unchanged; real
PyTorch is never imported (``result.json`` says so). Both sides seed their generator with 0 first.
"""
import contextlib
import io
import json
import sys
import warnings


def alias_torch_to_tutorgrad():
    import tutorgrad
    import tutorgrad.utils.data  # noqa: F401  (the submodules a script may import as torch.x)
    for name, module in list(sys.modules.items()):
        if name == "tutorgrad" or name.startswith("tutorgrad."):
            sys.modules["torch" + name[len("tutorgrad"):]] = module
    return tutorgrad


def run(cells):
    ns = {"__name__": "__main__"}
    shown = []
    for n, source in enumerate(cells, 1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            try:
                exec(compile(source, f"<cell {n}>", "exec"), ns)
            except Exception as e:  # noqa: BLE001 (printed, as a notebook shows it)
                print(f"{type(e).__name__}: {e}")
        text = out.getvalue() + "".join(f"{w.category.__name__}: {str(w.message).split(' (Triggered internally')[0]}\n"
                                        for w in caught)
        shown.append(text)
    return shown


def main(side, cells_path, result_path):
    with open(cells_path, encoding="utf-8") as f:
        cells = json.load(f)
    lib = alias_torch_to_tutorgrad() if side == "tutorgrad" else __import__("torch")
    lib.manual_seed(0)
    shown = run(cells)
    real_torch = "torch._C" in sys.modules
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump({"cells": shown, "real_torch_imported": real_torch}, f)


if __name__ == "__main__":
    main(*sys.argv[1:4])
