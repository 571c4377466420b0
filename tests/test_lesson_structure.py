"""How the lessons are built: goals first, a summary last, a link to the next one, and a steady pace.

Pace: never more than 12 cells without something for the student to do: an exercise, or a text
cell that asks for a prediction to check or a change to make and re-run (it opens a paragraph with
**Predict:**, **Try it:** or **Your turn:**).
"""
import re

import pytest

from lesson_cells import LESSONS, cells, source

MAX_GAP = 12
ACTIVITY = re.compile(r"^\*\*(Predict|Try it|Your turn)[:!]?\*\*", re.M)


def is_activity(cell):
    text = source(cell)
    if cell["cell_type"] == "code":
        return bool(re.search(r'^ex = exercise\("', text, re.M))
    return bool(ACTIVITY.search(text))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_never_more_than_twelve_cells_without_something_to_do(path):
    lesson = cells(path)
    summary = next(i for i, c in enumerate(lesson) if source(c).startswith("## Summary")
                   or "\n## Summary" in source(c))
    marks = [0] + [i for i, c in enumerate(lesson[:summary]) if is_activity(c)] + [summary]
    gaps = [(a, b) for a, b in zip(marks, marks[1:]) if b - a > MAX_GAP]
    assert not gaps, (f"{path.name}: more than {MAX_GAP} cells without an exercise, a **Predict:** or a "
                      f"**Try it:** between cells " + ", ".join(f"{a} and {b}" for a, b in gaps))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_goals_first_summary_last_and_the_next_lesson(path):
    lesson = cells(path)
    number = int(path.name[:2])
    first, last = source(lesson[0]), source(lesson[-1])
    assert first.startswith(f"# Lesson {number} · "), f"{path.name} should open with '# Lesson {number} · ...'"
    assert "**In this lesson you will**" in first, f"{path.name}: the first cell states the lesson's goals"
    assert "## Summary" in last, f"{path.name}: the last cell is the summary"
    following = [p for p in LESSONS if int(p.name[:2]) == number + 1]
    if following:
        assert f"({following[0].name})" in last, f"{path.name}: the summary links to {following[0].name}"
    links = re.findall(r"\]\((\d\d-[\w-]+\.ipynb)\)", "\n".join(source(c) for c in lesson))
    missing = [link for link in links if not (path.parent / link).exists()]
    assert not missing, f"{path.name} links to lessons that do not exist: {missing}"


def test_lessons_are_numbered_one_after_another():
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(1, len(LESSONS) + 1)), [p.name for p in LESSONS]
