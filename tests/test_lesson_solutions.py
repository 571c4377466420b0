"""Every exercise's solution fits its cell: pasted in place of the ``...`` lines, the cell's check passes
and the rest of the lesson still works.

Each lesson runs top to bottom in a fresh Jupyter kernel with every exercise's solution pasted in
(``lesson_cells.paste``), twice side by side: with tutorgrad, and with real PyTorch (the imports
rewritten as in the lessons-vs-PyTorch cross-check, ``tutorgrad-only`` cells left out). Then:

* every exercise cell prints ``✓ Exercise N: correct``, and no cell shows an error;
* with tutorgrad, every other cell prints what the stored lesson shows (numbers compared as numbers):
  a solution that overwrote a variable the lesson uses later (the trained model, the data) would
  change what later cells print.
"""
import asyncio
import os
import shutil

import pytest

from lesson_cells import LESSONS, exercise_cells, paste
from printed_numbers import differences

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from test_lessons_vs_pytorch import SKIP_TAG, shown, to_pytorch, tolerance  # noqa: E402
from tutorgrad.lessons import exercise  # noqa: E402

CELL_TIMEOUT = 120


def with_solutions(path, pytorch):
    """The lesson with every solution pasted in; ``[(index in the run, stored cell, exercise name or None)]``."""
    nb = nbformat.read(path, as_version=4)
    names = {i: name for i, name, _ in exercise_cells(path)}
    run, kept = [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or (pytorch and SKIP_TAG in cell.metadata.get("tags", [])):
            continue
        stored = nbformat.from_dict(dict(cell))
        cell = nbformat.from_dict(dict(cell))
        cell.outputs, cell.execution_count = [], None
        if i in names:
            cell.source = paste(cell.source, exercise(names[i]).solution_parts)
        if pytorch:
            cell.source = to_pytorch(cell.source)
        kept.append((len(run), stored, names.get(i)))
        run.append(cell)
    nb.cells = run
    return nb, kept


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_solutions_pasted_in_pass_and_the_lesson_still_works(path, tmp_path):
    runs = {}
    for side, pytorch in (("tutorgrad", False), ("torch", True)):
        if pytorch:
            pytest.importorskip("torch")
        nb, kept = with_solutions(path, pytorch)
        cwd = tmp_path / side
        shutil.copytree(path.parent, cwd, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=120, allow_errors=True,
                                         kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
        runs[side] = (nb, kept, client)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}

    async def both():
        await asyncio.gather(*(client.async_execute(env=env) for _, _, client in runs.values()))
    asyncio.run(both())

    problems = []
    for side, (nb, kept, _) in runs.items():
        for index, stored, name in kept:
            cell = nb.cells[index]
            text = shown(cell)
            errors = [o for o in cell.outputs if o.output_type == "error"]
            if errors:
                problems.append(f"{side}: cell {index} ({name or 'lesson'}) raised {errors[0].ename}: "
                                f"{errors[0].evalue}\n{cell.source}")
            elif name is not None:
                if f"✓ Exercise {name}: correct" not in text:
                    problems.append(f"{side}: exercise {name} with its solution pasted in printed:\n{text}\n"
                                    f"--- the cell ---\n{cell.source}")
            elif side == "tutorgrad":
                within = tolerance(stored)
                if found := differences(text, shown(stored), within):
                    problems.append(f"{side}: cell {index} prints something else than the stored lesson once the "
                                    f"solutions are pasted in:\n{cell.source[:300]}\n" + "\n".join(found))
    assert not problems, f"{path.name}:\n\n" + "\n\n".join(problems)
