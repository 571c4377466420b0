"""Exercises that coach: a check that names the mistake, hints from the idea to the code, a solution
that fits its cell.

In a lesson::

    ex = exercise("2.1")     # the checker for exercise 2.1
    img = ...                # replace the ... with your answer
    ex.check(img)            # ✓ for a right answer; a wrong one is told what is wrong and what to do

    ex.hint()                # the first hint; each call gives the next one, from the idea to the code
    ex.solution()            # a worked solution, to put in place of the ... lines

A checker works with tutorgrad tensors *and* with real PyTorch tensors, so the same lesson runs
with ``import torch``. Everything it prints is plain, deterministic text (nbval checks the lessons).

Writing an exercise: a function that receives the answers and raises ``Wrong(why)`` for a wrong
one (``expect(condition, why)`` does that), registered with its hints and solution::

    @add("1.2", hints=["The idea, in words.", "Closer to the code."],   # the third hint: the solution
         solution="answer = torch.arange(1, 11)")
    def _(answer):
        t = tensor_answer(answer)
        expect(t.numel() != 10 or t[0] != 0, "It starts at 0: ... (off by one)")
        ...

Every wrong answer a student is likely to give gets its own message, naming the mistake (wrong
sign, wrong axis, off by one, sum instead of mean, ...) and saying what to do about it. The tests
keep a table of such wrong answers and the words each message must contain.

The solution is the code that replaces the exercise cell's ``...`` lines (a tuple of parts when the
cell has several blocks of them): pasted in, it makes the cell's check pass and leaves the rest of
the lesson working. The tests paste every solution into its lesson and run the lesson.
"""
import sys
import textwrap

__all__ = ["Exercise", "Wrong", "NotAnswered", "exercise", "exercises", "expect", "add"]


class Wrong(Exception):
    """Raised by a checker: the answer is wrong, and the message says why and what to do."""


class NotAnswered(Exception):
    """Raised by a checker that met the ``...`` placeholder."""


def expect(condition, why):
    """Raise ``Wrong(why)`` unless ``condition`` holds."""
    if not condition:
        raise Wrong(why)


def _say(text):
    """Print ``text`` in one write, so a notebook stores it as one output."""
    sys.stdout.write(text + "\n")


def _indent(text, prefix="    "):
    return textwrap.indent(text, prefix, lambda line: True)


_ORDINALS = ["first", "second", "third", "fourth", "fifth"]


class Exercise:
    """One exercise: a checker, staged hints and a solution that fits its cell.

    ``check(*answers)`` returns quietly for a right answer and raises ``Wrong(why)`` for a wrong
    one. ``hints`` go from the idea to the code (the first is never code). ``solution`` is the code
    for the cell's ``...`` lines, or a tuple of such parts when the cell has several ``...`` blocks.
    ``answers`` names the variables that the cell passes to ``ex.check(...)``, in order.
    """

    def __init__(self, name, check, hints, solution, answers=("answer",), solution_as_last_hint=True):
        parts = (solution,) if isinstance(solution, str) else tuple(solution)
        self.solution_parts = tuple(textwrap.dedent(p).strip("\n").rstrip() for p in parts)
        if isinstance(hints, str):
            hints = [hints]
        hints = [textwrap.dedent(h).strip() for h in hints]
        if solution_as_last_hint:  # the last step from the idea to the code is the code itself
            hints.append(self.solution_code)
        if len(hints) < 2:
            raise ValueError(f"exercise {name}: give at least two hints, from the idea to the code")
        self.name = name
        self._check = check
        self.hints = tuple(hints)
        self.answers = tuple(answers)
        self.hints_shown = 0

    def __repr__(self):
        return f"<Exercise {self.name}>"

    @property
    def _call(self):
        return f'exercise("{self.name}")'

    # --- checking ---------------------------------------------------------------------------

    def verdict(self, *answers):
        """``(status, message)``: status ``"correct"``, ``"wrong"`` or ``"unanswered"``."""
        if any(a is ... for a in answers):
            return "unanswered", ""
        try:
            self._check(*answers)
        except NotAnswered:
            return "unanswered", ""
        except Wrong as e:
            return "wrong", str(e)
        except Exception as e:  # the answer broke the check: say so instead of a traceback
            return "wrong", f"Checking your answer raised {type(e).__name__}: {e}"
        return "correct", ""

    def is_correct(self, *answers):
        """True if ``answers`` pass the check (prints nothing)."""
        return self.verdict(*answers)[0] == "correct"

    def check(self, *answers):
        """Print whether ``answers`` are right; if not, what is wrong and where the next hint is."""
        status, why = self.verdict(*answers)
        if status == "correct":
            _say(f"✓ Exercise {self.name}: correct. Well done!\n"
                 f"  Compare with a worked solution: {self._call}.solution()")
        elif status == "unanswered":
            _say(f"… Exercise {self.name}: replace the ... with your answer, then run the cell again.\n"
                 f"  Stuck? {self._call}.hint() gives a first hint ({len(self.hints)} in all, from the idea "
                 f"to the code).")
        else:
            _say(f"✗ Exercise {self.name}: not yet. {why}\n  {self._next_step()}")

    def _next_step(self):
        if self.hints_shown < len(self.hints):
            return f"More help: {self._call}.hint() gives hint {self.hints_shown + 1} of {len(self.hints)}."
        return f"You have seen every hint; {self._call}.solution() shows a solution."

    # --- help -------------------------------------------------------------------------------

    def hint(self, number=None):
        """Print the next hint (or hint ``number``, counting from 1): from the idea to the code."""
        n = len(self.hints)
        if number is None:
            number = min(self.hints_shown + 1, n)
        if not (isinstance(number, int) and 1 <= number <= n):
            raise ValueError(f"exercise {self.name} has hints 1 to {n}, not {number!r}")
        self.hints_shown = max(self.hints_shown, number)
        text = self.hints[number - 1]
        body = f" {text}" if "\n" not in text else "\n\n" + _indent(text) + "\n"
        after = (f"  (Call {self._call}.hint() again for the next one.)" if number < n else
                 f"  (That was the last hint; {self._call}.solution() shows a solution.)")
        _say(f"Hint {number} of {n} for exercise {self.name}:{body}\n{after}")

    def solution(self):
        """Print a worked solution: the code to put in place of the cell's ``...`` lines."""
        if len(self.solution_parts) == 1:
            _say(f"A solution to exercise {self.name}, to put in place of the line(s) with ... in its cell:\n\n"
                 + _indent(self.solution_parts[0]))
            return
        blocks = [f"In place of the {_ORDINALS[i]} line with ... (indented like it):\n\n" + _indent(part)
                  for i, part in enumerate(self.solution_parts)]
        _say(f"A solution to exercise {self.name}, in {len(blocks)} parts:\n\n" + "\n\n".join(blocks))

    @property
    def solution_code(self):
        """The solution as one piece of code (its parts one after the other)."""
        return "\n".join(self.solution_parts)


exercises = {}


def exercise(name):
    """The lesson exercise called ``name`` (for example ``"2.1"``)."""
    try:
        return exercises[name]
    except KeyError:
        raise KeyError(f"There is no exercise {name!r}; the exercises are {', '.join(exercises)}.") from None


def add(name, hints, solution, answers=("answer",), solution_as_last_hint=True):
    """Decorator: register the decorated checker as exercise ``name``.

    ``hints`` go from the idea towards the code; the solution's code is the last hint, unless
    ``solution_as_last_hint=False`` (when the last of ``hints`` is already code of its own).
    """
    def register(check):
        if name in exercises:
            raise ValueError(f"exercise {name} is defined twice")
        exercises[name] = Exercise(name, check, hints, solution, answers, solution_as_last_hint)
        return check
    return register
