"""The lessons' exercise cells: where they are, their ``...`` blocks, and the cell with a solution pasted in.

An exercise cell is a code cell with ``ex = exercise("N")``. The student's part of it is marked
by the ``...`` placeholder (Python's Ellipsis): each run of consecutive lines holding a ``...``
is one block, and the exercise's solution has one part per block. Pasting a solution replaces
each block by its part, indented like the block.
"""
import io
import json
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
EXERCISE = re.compile(r'^ex = exercise\("([\d.]+)"\)', re.M)


def cells(path):
    return json.loads(Path(path).read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def exercise_cells(path):
    """``[(index among all cells, exercise name, source)]`` for every exercise cell of a lesson."""
    found = []
    for i, cell in enumerate(cells(path)):
        if cell["cell_type"] == "code":
            names = EXERCISE.findall(source(cell))
            assert len(names) <= 1, f"{Path(path).name}: cell {i} sets up more than one exercise: {names}"
            if names:
                found.append((i, names[0], source(cell)))
    return found


def placeholder_blocks(code):
    """``[(first line, last line)]`` (0-based, inclusive) of each run of lines holding the ``...`` token."""
    rows = sorted({tok.start[0] - 1 for tok in tokenize.generate_tokens(io.StringIO(code).readline)
                   if tok.type == tokenize.OP and tok.string == "..."})
    blocks = []
    for r in rows:
        if blocks and r == blocks[-1][1] + 1:
            blocks[-1][1] = r
        else:
            blocks.append([r, r])
    return [tuple(b) for b in blocks]


def paste(code, parts):
    """``code`` with each ``...`` block replaced by the matching part, indented like the block."""
    blocks = placeholder_blocks(code)
    assert len(blocks) == len(parts), (f"the cell has {len(blocks)} blocks of ... lines but the solution has "
                                       f"{len(parts)} parts:\n{code}")
    lines = code.split("\n")
    for (first, last), part in reversed(list(zip(blocks, parts))):
        indent = re.match(r"\s*", lines[first]).group(0)
        lines[first:last + 1] = [indent + row if row.strip() else row for row in part.split("\n")]
    return "\n".join(lines)


def cell_lines(code):
    """The cell's lines, stripped, without blank lines and comments-only lines."""
    return {line.strip() for line in code.split("\n") if line.strip() and not line.strip().startswith("#")}
