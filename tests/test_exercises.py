"""The lessons' exercises: right answers pass, wrong ones get a hint, every solution passes its own check.

Each solution is run twice, with tutorgrad and with real PyTorch as ``torch``, because the
lessons are cross-checked with PyTorch and the checkers must accept both kinds of tensors.
"""
import json
import pathlib
import re

import numpy as np
import pytest

import tutorgrad
from tutorgrad.exercises import Exercise, exercise, exercises, expect

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
LIBS = ["tutorgrad", "torch"]


def lib_module(name):
    return tutorgrad if name == "tutorgrad" else pytest.importorskip("torch")


def run_solution(ex, lib):
    """Execute the solution with ``torch`` bound to ``lib``; return the variables it answers with."""
    namespace = {"torch": lib, "np": np}
    exec(compile(ex.solution_code, f"<solution {ex.name}>", "exec"), namespace)
    return [namespace[name] for name in ex.answers]


@pytest.mark.parametrize("lib_name", LIBS)
@pytest.mark.parametrize("name", sorted(exercises))
def test_solution_passes_its_own_check(name, lib_name, capsys):
    ex = exercise(name)
    answers = run_solution(ex, lib_module(lib_name))
    assert ex.verdict(*answers) == ("correct", "")
    ex.check(*answers)
    assert capsys.readouterr().out == f"✓ Exercise {name}: correct. Well done!\n"


def wrong_candidates(lib):
    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad

    return [None, 0, 0.5, 0.25, "A", [], [1.0, 1.0, 1.0], lib.tensor(0.0), lib.zeros(7), lib.ones(3, 4, 5),
            lib.arange(4.0), (lib.tensor(0.0), lib.tensor(0.0)), lambda *a: None, Identity]


@pytest.mark.parametrize("lib_name", LIBS)
@pytest.mark.parametrize("name", sorted(exercises))
def test_wrong_answers_get_the_hint(name, lib_name, capsys):
    """Every checker can fail: obviously wrong answers are rejected, with the hint."""
    lib = lib_module(lib_name)
    ex = exercise(name)
    right = run_solution(ex, lib)
    tried = 0
    for wrong in wrong_candidates(lib):
        if wrong is None and right[-1] is None:
            continue  # None is the right answer to 7.1
        answers = right[:-1] + [wrong]  # 3.1 and 3.2 check (a, t): replace t, keep a
        status, why = ex.verdict(*answers)
        assert status == "wrong", f"exercise {name} accepted {wrong!r}"
        assert why
        ex.check(*answers)
        out = capsys.readouterr().out
        assert out.startswith(f"✗ Exercise {name}: not yet. ")
        assert f"Hint: {ex._hint}" in out and f'exercise("{name}").solution()' in out
        tried += 1
    assert tried >= 10


@pytest.mark.parametrize("name", sorted(exercises))
def test_placeholder_asks_for_an_answer(name, capsys):
    ex = exercise(name)
    ex.check(*[...] * len(ex.answers))
    out = capsys.readouterr().out
    assert out.startswith(f"… Exercise {name}: replace the ... with your answer")
    assert f'exercise("{name}").hint()' in out


@pytest.mark.parametrize("name, answer, message", [
    ("2.1", tutorgrad.zeros(3, 5, 4, dtype=tutorgrad.float64), "(channels, height, width)"),
    ("2.1", tutorgrad.zeros(3, 4, 5), "float64"),
    ("2.2", tutorgrad.arange(12).reshape(3, 4)[-1], "You took a row"),
    ("2.3", tutorgrad.ones(2, 3), "(2, 3)"),
    ("2.5", tutorgrad.tensor(4), "float tensor"),
    ("3.3", tutorgrad.tensor([0.5, -1.0, 2.0]), "still a tensor"),
    ("3.4", [11.0, 12.0, 12.0], "a = a + 10"),
    ("4.1", {"a", "e"}, "b is missing"),
    ("4.2", "ExpBackward0", "d.grad_fn itself"),
    ("5.1", float(np.exp(1.5)), "inner derivative"),
    ("5.3", 5, "adds"),
    ("6.1", 1.4, "uphill"),
    ("6.3", 1.0, "back and forth"),
    ("7.1", 0.0, "even 0 is a gradient"),
    ("7.4", "A", "A's backward is right"),
])
def test_specific_feedback(name, answer, message):
    status, why = exercise(name).verdict(answer)
    assert status == "wrong" and message in why


def test_clamp_gradient_is_not_straight_through():
    class Clamp(tutorgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(0, 1)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * ((x >= 0) & (x <= 1)).float()

    status, why = exercise("7.3").verdict(Clamp)
    assert status == "wrong" and "clamp's own gradient" in why


def test_share_and_copy_are_told_apart():
    a = np.arange(4.0)
    assert exercise("3.1").is_correct(a, tutorgrad.from_numpy(a))
    assert not exercise("3.1").is_correct(a, tutorgrad.tensor(a))
    assert exercise("3.2").is_correct(a, tutorgrad.tensor(a))
    assert not exercise("3.2").is_correct(a, tutorgrad.from_numpy(a))
    np.testing.assert_array_equal(a, np.arange(4.0))  # the check put a back as it was


def test_checking_does_not_touch_the_global_random_stream():
    tutorgrad.manual_seed(7)
    sample = tutorgrad.randn(5)
    after = tutorgrad.rand(3)
    tutorgrad.manual_seed(7)
    tutorgrad.randn(5)
    assert exercise("2.4").is_correct(sample)
    assert tutorgrad.equal(tutorgrad.rand(3), after)


def test_a_broken_answer_is_reported_not_raised(capsys):
    class Broken(tutorgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise ValueError("oops")

        @staticmethod
        def backward(ctx, grad):
            return grad

    exercise("7.2").check(Broken)
    out = capsys.readouterr().out
    assert out.startswith("✗ Exercise 7.2: not yet. Checking your answer raised ValueError: oops")


def test_hint_and_solution_print_plain_text(capsys):
    ex = exercise("1.1")
    ex.hint()
    ex.solution()
    assert capsys.readouterr().out == ("Hint for exercise 1.1: Pass a Python list to torch.tensor(...).\n"
                                       "A solution to exercise 1.1:\n\n    answer = torch.tensor([1, 2, 3])\n")


def test_own_exercise(capsys):
    ex = Exercise("my.1", check=lambda t: expect(t.item() == 4, "It should be 4."), hint="2 + 2",
                  solution="answer = torch.tensor(2) + 2")
    ex.check(tutorgrad.tensor(2) + 2)
    ex.check(tutorgrad.tensor(5))
    out = capsys.readouterr().out
    assert out.startswith("✓ Exercise my.1: correct.")
    assert "✗ Exercise my.1: not yet. It should be 4.\n  Hint: 2 + 2\n" in out
    assert repr(ex) == "<Exercise my.1>"


def test_unknown_exercise():
    with pytest.raises(KeyError, match="There is no exercise '9.9'"):
        exercise("9.9")


def lesson_exercises():
    """{lesson file: [exercise names used in its cells]} and the names under an "Exercise" heading."""
    used, headed = {}, {}
    for path in sorted(NOTEBOOKS.glob("0[1-9]-*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        md = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        used[path.name] = re.findall(r'ex = exercise\("([\d.]+)"\)', code)
        headed[path.name] = re.findall(r"^#+ Exercise ([\d.]+)", md, flags=re.M)
    return used, headed


def test_lessons_use_every_exercise_once_under_a_heading():
    used, headed = lesson_exercises()
    if not used:
        pytest.skip("no lessons in notebooks/")
    for lesson, names in used.items():
        assert len(names) >= 3, f"{lesson} has fewer than 3 exercises"
        assert names == headed[lesson], f"{lesson}: every exercise cell needs an 'Exercise' heading above it"
        assert all(n.split(".")[0] == str(int(lesson[:2])) for n in names), lesson
    all_used = sorted(n for names in used.values() for n in names)
    assert all_used == sorted(exercises)  # every registered exercise is used by a lesson
