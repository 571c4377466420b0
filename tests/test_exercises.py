"""The lessons' exercises coach: each names its typical mistakes, gives staged hints and a solution that fits.

* The typical-mistakes table (``exercise_mistakes.py``): every row is a wrong answer that students
  really give, and the words its message must contain; at least three rows per exercise, each with
  its own message. Every row runs with tutorgrad and with real PyTorch as ``torch`` (the lessons run
  on both, and the checkers must accept both kinds of tensors).
* Hints: at least two per exercise, the first never code; each ``hint()`` shows the next one.
* Every wrong answer and every solution is pasted into its exercise's cell, in place of the ``...``
  lines, and the cell is run (after what earlier cells of the lesson made, ``CONTEXT``). That the
  solution also leaves the rest of the lesson working is ``test_lesson_solutions.py``.
"""
import re

import numpy as np
import pytest

import tutorgrad
from exercise_mistakes import CONTEXT, MISTAKES
from lesson_cells import LESSONS, exercise_cells, paste, placeholder_blocks
from tutorgrad.lessons import Exercise, Wrong, exercise, exercises, expect

LIBS = ["tutorgrad", "torch"]


def lib_module(name):
    return tutorgrad if name == "tutorgrad" else pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def fresh_hints():
    """Every test starts with no hint shown (the exercises are module-level objects)."""
    for ex in exercises.values():
        ex.hints_shown = 0
    yield
    for ex in exercises.values():
        ex.hints_shown = 0


def exercise_cell(name):
    """The code of exercise ``name``'s cell in its lesson."""
    lesson = [p for p in LESSONS if int(p.name[:2]) == int(name.split(".")[0])]
    cells = [code for path in lesson for _, n, code in exercise_cells(path) if n == name]
    if not cells:
        pytest.skip(f"no lesson has exercise {name}")
    return cells[0]


def run(name, code, lib):
    """Exercise ``name``'s cell with ``code`` in place of its ``...`` lines (a tuple of parts for several
    blocks), run after the lesson's context with ``torch`` bound to ``lib``; returns the exercise's answers.

    The cell runs without its ``ex = exercise(...)`` and ``ex.check(...)`` lines: the test checks."""
    import math

    import tutorgrad.nn  # noqa: F401  (``torch.nn`` for the code below, as in the lessons)
    namespace = {"torch": lib, "np": np, "math": math, "nn": lib.nn}
    cell = "\n".join(line for line in exercise_cell(name).split("\n")
                     if not line.startswith(("ex = exercise(", "ex.check(")))
    parts = (code,) if isinstance(code, str) else tuple(code)
    source = CONTEXT.get(name.split(".")[0], "") + "\n" + paste(cell, parts)
    exec(compile(source, f"<exercise {name}>", "exec"), namespace)
    return [namespace[a] for a in exercise(name).answers]


# --- the typical-mistakes table ------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::UserWarning")  # a wrong answer may warn (backward with create_graph=True)
@pytest.mark.parametrize("lib_name", LIBS)
@pytest.mark.parametrize("name, code, words", MISTAKES,
                         ids=[f"{n}:{(c if isinstance(c, str) else c[-1]).splitlines()[-1][:40]}"
                              for n, c, _ in MISTAKES])
def test_the_message_names_the_mistake(name, code, words, lib_name):
    answers = run(name, code, lib_module(lib_name))
    status, why = exercise(name).verdict(*answers)
    assert status == "wrong", f"exercise {name} accepted this wrong answer:\n{code}"
    missing = [w for w in words if w.lower() not in why.lower()]
    assert not missing, f"exercise {name}: the message for\n{code}\nlacks {missing}:\n{why}"


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(exercises))
def test_three_typical_mistakes_each_with_its_own_message(name):
    rows = [(code, words) for n, code, words in MISTAKES if n == name]
    assert len(rows) >= 3, f"exercise {name} has {len(rows)} rows in the mistakes table; at least 3 are needed"
    messages = [exercise(name).verdict(*run(name, code, tutorgrad))[1] for code, _ in rows]
    # (two rows may be one mistake written two ways, t * (t > 0) and t.clamp(min=0): same message)
    assert len(set(messages)) >= 3, f"exercise {name}: fewer than 3 mistakes with a message of their own: {messages}"
    assert all(len(m) > 30 for m in messages), f"exercise {name}: a message too short to name a mistake: {messages}"


def test_the_table_names_only_real_exercises():
    assert {n for n, _, _ in MISTAKES} <= set(exercises)
    assert {n.split(".")[0] for n in exercises} >= set(CONTEXT)


# --- solutions, placeholders and junk -------------------------------------------------------------

@pytest.mark.parametrize("lib_name", LIBS)
@pytest.mark.parametrize("name", sorted(exercises))
def test_solution_passes_after_the_given_lines(name, lib_name, capsys):
    ex = exercise(name)
    answers = run(name, ex.solution_parts, lib_module(lib_name))
    assert ex.verdict(*answers) == ("correct", "")
    capsys.readouterr()
    ex.check(*answers)
    assert capsys.readouterr().out == (f"✓ Exercise {name}: correct. Well done!\n"
                                       f'  Compare with a worked solution: exercise("{name}").solution()\n')


def junk(lib):
    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad

    return [None, 0, 0.5, 0.25, "A", [], [1.0, 1.0, 1.0], lib.tensor(0.0), lib.zeros(7), lib.ones(3, 4, 5),
            lib.arange(4.0), (lib.tensor(0.0), lib.tensor(0.0)), lambda *a: None, Identity, {"a"}]


@pytest.mark.parametrize("lib_name", LIBS)
@pytest.mark.parametrize("name", sorted(exercises))
def test_junk_is_refused_with_a_reason(name, lib_name, capsys):
    """Every checker can fail, and never with a traceback: answers of any type get a reason."""
    lib = lib_module(lib_name)
    ex = exercise(name)
    right = run(name, ex.solution_parts, lib)
    tried = 0
    for wrong in junk(lib):
        answers = right[:-1] + [wrong]  # (a, t) for "share memory with a": replace t, keep a
        status, why = ex.verdict(*answers)
        if ex.is_correct(*answers):
            continue  # None is the right answer to "no gradient, or a zero gradient?"
        assert status == "wrong" and why, f"exercise {name}: {wrong!r} gave {status} {why!r}"
        assert "Checking your answer raised" not in why, f"exercise {name}: {wrong!r} broke the checker: {why}"
        ex.check(*answers)
        out = capsys.readouterr().out
        assert out.startswith(f"✗ Exercise {name}: not yet. ")
        assert f'exercise("{name}").hint() gives hint 1 of {len(ex.hints)}' in out
        tried += 1
    assert tried >= 12


@pytest.mark.parametrize("name", sorted(exercises))
def test_placeholder_asks_for_an_answer(name, capsys):
    ex = exercise(name)
    ex.check(*[...] * len(ex.answers))
    out = capsys.readouterr().out
    assert out.startswith(f"… Exercise {name}: replace the ... with your answer")
    assert f'exercise("{name}").hint() gives a first hint ({len(ex.hints)} in all' in out


# --- staged hints ------------------------------------------------------------------------------

CODE = re.compile(r"torch\.|\w\(|=|\*\*|\[")


@pytest.mark.parametrize("name", sorted(exercises))
def test_hints_go_from_the_idea_to_the_code(name, capsys):
    ex = exercise(name)
    assert len(ex.hints) >= 2, f"exercise {name} has {len(ex.hints)} hint(s)"
    assert not CODE.search(ex.hints[0]), f"exercise {name}: the first hint is code, it should be the idea: " \
                                         f"{ex.hints[0]!r}"
    solution_lines = {line.strip() for line in ex.solution_code.splitlines() if len(line.strip()) > 8}
    for hint in ex.hints[:-1]:
        assert not solution_lines & {line.strip() for line in hint.splitlines()}, \
            f"exercise {name}: a hint before the last gives away a line of the solution: {hint!r}"
    assert len(set(ex.hints)) == len(ex.hints), f"exercise {name} repeats a hint"
    n = len(ex.hints)
    for k in range(1, n + 2):  # each call the next hint; after the last, the last again
        ex.hint()
        out = capsys.readouterr().out
        shown = min(k, n)
        assert out.startswith(f"Hint {shown} of {n} for exercise {name}:")
        assert all(line.strip() in out for line in ex.hints[shown - 1].splitlines())
        assert ("again for the next one" in out) == (shown < n)
        assert ("That was the last hint" in out) == (shown == n)


def test_a_wrong_answer_points_to_the_next_hint(capsys):
    ex = exercise("1.2")
    ex.check(tutorgrad.arange(10))
    assert 'exercise("1.2").hint() gives hint 1 of 3.' in capsys.readouterr().out
    ex.hint()
    ex.check(tutorgrad.arange(10))
    assert 'exercise("1.2").hint() gives hint 2 of 3.' in capsys.readouterr().out
    ex.hint(3)
    ex.check(tutorgrad.arange(10))
    assert 'You have seen every hint; exercise("1.2").solution() shows a solution.' in capsys.readouterr().out
    with pytest.raises(ValueError, match="hints 1 to 3"):
        ex.hint(4)


def test_solution_says_where_it_goes(capsys):
    exercise("1.1").solution()
    assert capsys.readouterr().out == ("A solution to exercise 1.1, to put in place of the line(s) with ... in its "
                                       "cell:\n\n    answer = torch.tensor([1, 2, 3])\n")
    ex = Exercise("my.2", check=lambda f: None, hints=["idea"], solution=("a = 1", "b = 2\nc = 3"))
    ex.solution()
    assert capsys.readouterr().out == ("A solution to exercise my.2, in 2 parts:\n\n"
                                       "In place of the first line with ... (indented like it):\n\n    a = 1\n\n"
                                       "In place of the second line with ... (indented like it):\n\n"
                                       "    b = 2\n    c = 3\n")


# --- the framework -----------------------------------------------------------------------------

def test_own_exercise(capsys):
    ex = Exercise("my.1", check=lambda t: expect(t.item() == 4, "It should be 4."), hints=["Add."],
                  solution="answer = torch.tensor(2) + 2")
    assert ex.hints == ("Add.", "answer = torch.tensor(2) + 2")  # the solution is the last hint
    ex.check(tutorgrad.tensor(2) + 2)
    ex.check(tutorgrad.tensor(5))
    out = capsys.readouterr().out
    assert out.startswith("✓ Exercise my.1: correct. Well done!\n  Compare with a worked solution")
    assert "✗ Exercise my.1: not yet. It should be 4.\n  More help: exercise(\"my.1\").hint() gives hint 1 of 2.\n" \
        in out
    assert repr(ex) == "<Exercise my.1>"
    with pytest.raises(ValueError, match="at least two hints"):
        Exercise("my.3", check=lambda t: None, hints=["only one"], solution="x = 1", solution_as_last_hint=False)
    own = Exercise("my.5", check=lambda t: None, hints=["idea", "x = ..."], solution="x = 1",
                   solution_as_last_hint=False)
    assert own.hints == ("idea", "x = ...")


def test_a_broken_answer_is_reported_not_raised(capsys):
    def check(answer):
        raise ValueError("oops")
    Exercise("my.4", check=check, hints=["a"], solution="b").check(1)
    assert capsys.readouterr().out.startswith(
        "✗ Exercise my.4: not yet. Checking your answer raised ValueError: oops")


def test_wrong_is_an_exception_with_the_message():
    with pytest.raises(Wrong, match="why"):
        expect(False, "why")


def test_unknown_exercise():
    with pytest.raises(KeyError, match="There is no exercise '99.9'"):
        exercise("99.9")


# --- the lessons and the exercises --------------------------------------------------------------

def test_every_exercise_is_used_once_under_a_heading():
    if not LESSONS:
        pytest.skip("no lessons in notebooks/")
    used = []
    for path in LESSONS:
        names = [name for _, name, _ in exercise_cells(path)]
        headed = re.findall(r"^#+ Exercise ([\d.]+)", "\n".join(
            "".join(c["source"]) for c in __import__("json").loads(path.read_text())["cells"]
            if c["cell_type"] == "markdown"), flags=re.M)
        assert len(names) >= 3, f"{path.name} has fewer than 3 exercises"
        assert names == headed, f"{path.name}: every exercise cell needs an 'Exercise' heading above it"
        assert all(n.split(".")[0] == str(int(path.name[:2])) for n in names), path.name
        used += names
    assert sorted(used) == sorted(exercises), "every registered exercise is used by a lesson, once"


@pytest.mark.parametrize("name", sorted(exercises))
def test_the_solution_has_one_part_per_block_of_dots(name):
    code = exercise_cell(name)
    assert len(placeholder_blocks(code)) == len(exercise(name).solution_parts), code
