"""Every ```python block of the primer runs with ``import tutorgrad as torch`` and prints what PyTorch prints.

The blocks run in order in one process, as cells of a notebook do (a cell's last expression is echoed
like Jupyter's ``Out[]``). After the last block, every tensor the primer left in its namespace is printed
too, so results the primer computes but does not print (``x_1``, ``x_2`` ...) are compared as well. The
run happens twice in fresh interpreters: with real PyTorch, and with ``sys.modules["torch"]`` set to
tutorgrad. The outputs must be equal after reading ``torch.`` as ``tutorgrad.`` in PyTorch's; the only
other difference allowed is the version line.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tutorgrad

pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parent.parent
PRIMER = ROOT / "tests" / "data" / "getting-started-with-pytorch.md"  # a copy, so a fresh clone has it
ORIGINAL = ROOT.parent / "shared" / "seed" / "getting-started-with-pytorch.md"  # the team's seed, when present

RUNNER = r'''
import ast, json, sys
if sys.argv[1] == "tutorgrad":
    import tutorgrad
    sys.modules["torch"] = tutorgrad          # `import torch` in the primer now gets tutorgrad
namespace = {"__name__": "__main__"}
with open(sys.argv[2]) as f:
    cells = json.load(f)
for n, cell in enumerate(cells):
    filename = f"cell{n}.py"                  # a real file, so that warnings can quote the line
    with open(filename, "w") as f:
        f.write(cell)
    tree = ast.parse(cell)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:                      # a notebook echoes the value of the last expression
        value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
        if value is not None:
            print(repr(value))
print("--- tensors left in the namespace ---")
tensor_type = sys.modules["torch"].Tensor
for name in sorted(namespace):
    if isinstance(namespace[name], tensor_type):
        print(name, "=", repr(namespace[name]), "grad:", repr(namespace[name].grad) if namespace[name].is_leaf else "-")
'''


def primer_cells():
    return re.findall(r"```python\n(.*?)```", PRIMER.read_text(), re.S)


def run(library, tmp_path):
    cells = tmp_path / "cells.json"
    cells.write_text(json.dumps(primer_cells()))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONWARNINGS", None)  # Python's default filters, as a student has them
    proc = subprocess.run([sys.executable, "-c", RUNNER, library, str(cells)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, f"the primer fails with {library}:\n{proc.stderr}"
    return proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    return {lib: run(lib, tmp_path_factory.mktemp(lib)) for lib in ("torch", "tutorgrad")}


@pytest.mark.skipif(not ORIGINAL.exists(), reason="the team's seed folder is not next to this clone")
def test_the_copy_is_the_primer():
    assert PRIMER.read_text() == ORIGINAL.read_text(), f"update {PRIMER} from {ORIGINAL}"


def test_the_primer_has_all_its_blocks():
    cells = primer_cells()
    assert len(cells) == 8 and cells[0].startswith("import torch")
    assert any("i_hate_threes_v2(torch.autograd.Function)" in c for c in cells)


def test_every_block_prints_what_pytorch_prints(outputs):
    torch_out, _ = outputs["torch"]
    ours, _ = outputs["tutorgrad"]
    # Object reprs carry a memory address in both (<MulBackward0 object at 0x7f...>): equal apart from it.
    address = re.compile(r" object at 0x[0-9a-f]+>")
    expected = address.sub(" object at 0x...>", torch_out.replace("torch.", "tutorgrad.")).splitlines()
    got = address.sub(" object at 0x...>", ours).splitlines()
    import torch
    assert expected[0] == torch.__version__ and got[0] == tutorgrad.__version__  # the one allowed difference
    assert got[1:] == expected[1:]
    # what the primer teaches, as PyTorch 2.13 shows it
    assert "tutorgrad.Size([3])" in got and "tensor(4., grad_fn=<AddBackward0>)" in got
    assert any("tensor(2., grad_fn=<i_hate_threes_v2Backward>)" in line for line in got)
    assert any("tensor(0., grad_fn=<i_hate_threes_v2Backward>)" in line for line in got)


def test_instantiating_the_function_warns_in_both(outputs):
    pattern = (r"DeprecationWarning: <class '__main__.i_hate_threes_v2'> should not be instantiated. Methods on "
               r"autograd functions are all static, so you should invoke them on the class itself.")
    for lib in ("torch", "tutorgrad"):
        _, err = outputs[lib]
        assert re.search(pattern, err), f"{lib}: {err}"
        assert "func = i_hate_threes_v2()" in err, f"{lib}: the warning should point at the student's line"
    # nothing else is printed to stderr by tutorgrad
    assert len(outputs["tutorgrad"][1].strip().splitlines()) == 2
