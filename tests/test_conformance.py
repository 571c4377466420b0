"""Real beginner scripts print the same with ``import torch`` meaning tutorgrad as with PyTorch.

The scripts (``tests/data/conformance/manifest.json``) are PyTorch's own tutorials (the 60-minute blitz's
autograd and neural-network parts, Learn the Basics' tensors and autograd, Learning PyTorch with
Examples) and micrograd's ``test_engine.py``. Each runs cell by cell twice, in two processes
(``conformance_runner.py``): with PyTorch, and with every ``torch`` module being tutorgrad's. What each cell
prints is compared with its numbers read as numbers (``printed_numbers.py``: float32 rounding by default;
a cell whose numbers come out of a training loop declares a looser tolerance, and why, in the manifest),
once the module name is read the same way (``tutorgrad.float32`` as ``torch.float32``) and memory
addresses are dropped. A cell that may legitimately print something else declares it, with the reason.

The scripts are not copied into this repository: the manifest pins each by commit and SHA-256, and the
test reads it from a local cache (see the manifest's ``about``). Without the text, and without a network
to fetch it, the script's test skips and says where to put the file.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.request
import warnings
from pathlib import Path

import pytest

from printed_numbers import TIGHT, Tolerance, differences

pytest.importorskip("torch")

HERE = Path(__file__).resolve().parent
MANIFEST = json.loads((HERE / "data" / "conformance" / "manifest.json").read_text(encoding="utf-8"))
SCRIPTS = MANIFEST["scripts"]
CACHE = Path(os.environ.get("TUTORGRAD_CONFORMANCE_DIR", Path.home() / ".cache" / "tutorgrad" / "conformance"))
SEPARATOR = re.compile(r"^#{20,}\s*$", re.M)


def source_text(script):
    """The script's text at its pinned commit, checked against its SHA-256 (fetched into the cache if missing)."""
    path = CACHE / f"{script['repo'].replace('/', '+')}@{script['commit']}" / script["path"]
    if not path.exists():
        try:
            with urllib.request.urlopen(script["raw_url"], timeout=10) as response:
                data = response.read()
        except OSError as e:
            pytest.skip(f"{script['name']}: the script's text is not here ({path}) and could not be fetched "
                        f"({type(e).__name__}); put {script['raw_url']} there")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == script["sha256"], f"{path} is not the pinned text (sha256 {digest})"
    return data.decode("utf-8")


def cells_of(script):
    text = source_text(script)
    for sub in script["substitutions"]:
        found = text.count(sub["old"])
        assert found == sub["count"], f"{sub['old']!r} occurs {found} times, expected {sub['count']}"
        text = text.replace(sub["old"], sub["new"])
    if script["split"] == "whole":
        cells = [text]
    else:
        cells = [c for c in SEPARATOR.split(text) if _has_code(c)]
    return cells + [extra["code"] for extra in script["extra_cells"]]


def _has_code(cell):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # (a docstring's "\\ " is the script's own)
            warnings.simplefilter("ignore", DeprecationWarning)
            compiled = compile(cell, "<cell>", "exec")
    except SyntaxError:
        return True  # (shown as the error it raises)
    return bool(compiled.co_names or any(line.strip() and not line.lstrip().startswith("#")
                                         for line in cell.splitlines()) and _not_only_docstring(cell))


def _not_only_docstring(cell):
    import ast
    body = ast.parse(cell).body
    return not (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant))


def run_both(cells, tmp_path):
    """Both sides at once (two processes), one BLAS/OpenMP thread each."""
    (tmp_path / "cells.json").write_text(json.dumps(cells), encoding="utf-8")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    procs = {side: subprocess.Popen([sys.executable, str(HERE / "conformance_runner.py"), side,
                                     str(tmp_path / "cells.json"), str(tmp_path / f"{side}.json")],
                                    cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
             for side in ("torch", "tutorgrad")}
    results = {}
    for side, proc in procs.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"the {side} run failed:\n{err}"
        results[side] = json.loads((tmp_path / f"{side}.json").read_text(encoding="utf-8"))
    assert results["torch"]["real_torch_imported"], "the PyTorch run did not use PyTorch"
    assert not results["tutorgrad"]["real_torch_imported"], "the tutorgrad run imported PyTorch"
    return results["tutorgrad"]["cells"], results["torch"]["cells"]


def normalise(text):
    text = re.sub(r"\btutorgrad(?=\.|::)", "torch", text)  # tutorgrad.float32 reads as torch.float32
    return re.sub(r"\s+at\s+0x[0-9a-fA-F]+", "", text)      # <MulBackward0 object at 0x7f...>


def tolerance(declared):
    if "numbers" not in declared:
        return TIGHT
    n = declared["numbers"]
    assert str(n.get("reason", "")).strip(), "a looser tolerance must say why"
    return Tolerance(rtol=float(n.get("rtol", TIGHT.rtol)), atol=float(n.get("atol", TIGHT.atol)), reason=n["reason"])


def compare(script, ours, theirs):
    """Per cell: 'same', 'declared' (differs, as declared) or the differences; and the problems found."""
    outcome, problems = {}, []
    declared_cells = script["cells"]
    for n, (a, b) in enumerate(zip(ours, theirs), 1):
        declared = declared_cells.get(str(n), {})
        diffs = differences(normalise(a), normalise(b), tolerance(declared))
        if "differs" in declared:
            assert str(declared["differs"]).strip(), "a declared difference must say why"
            outcome[n] = "declared"
            if not diffs:
                problems.append(f"cell {n} is declared to differ but prints the same: drop the declaration")
        elif diffs:
            outcome[n] = diffs
            problems.append(f"cell {n}:\n  tutorgrad: {a!r}\n  PyTorch:   {b!r}\n  " + "\n  ".join(diffs))
        else:
            outcome[n] = "same"
    unknown = set(declared_cells) - {str(n) for n in range(1, len(ours) + 1)}
    assert not unknown, f"declarations for cells that do not exist: {sorted(unknown)}"
    return outcome, problems


@pytest.mark.parametrize("script", SCRIPTS, ids=[s["name"] for s in SCRIPTS])
def test_script_prints_the_same_as_with_pytorch(script, tmp_path):
    if script["repo"] == "karpathy/micrograd":
        pytest.importorskip("micrograd")
    cells = cells_of(script)
    ours, theirs = run_both(cells, tmp_path)
    outcome, problems = compare(script, ours, theirs)
    same = sum(v == "same" for v in outcome.values())
    print(f"{script['name']}: {len(cells)} cells, {same} print the same, "
          f"{sum(v == 'declared' for v in outcome.values())} declared to differ")
    assert not problems, f"{script['name']} ({script['url']}):\n" + "\n".join(problems)


def test_the_manifest_pins_every_script():
    for script in SCRIPTS:
        assert re.fullmatch(r"[0-9a-f]{40}", script["commit"]) and re.fullmatch(r"[0-9a-f]{64}", script["sha256"])
        assert script["commit"] in script["url"] and script["commit"] in script["raw_url"]
        for sub in script["substitutions"]:
            assert sub["why"].strip()
        for extra in script["extra_cells"]:
            assert extra["why"].strip()
