"""Support for the lessons in ``notebooks/``: exercises that coach.

In a lesson: ``from tutorgrad.lessons import exercise``, then ``ex = exercise("2.1")``,
``ex.check(answer)``, ``ex.hint()`` (again for the next hint) and ``ex.solution()``.

* ``exercises.py`` – the framework: ``Exercise`` (check, staged hints, solution), the registry;
* ``answers.py``   – reading an answer made with tutorgrad or with real PyTorch, and messages that
  say what came back and what was expected;
* ``lesson01.py``, ``lesson02.py``, ... – each lesson's exercises: the checker, its typical mistakes
  with their messages, the hints and the solution.

This is not part of the library a program uses (``import tutorgrad`` does not load it): it serves
the lessons, which run with tutorgrad and, unchanged, with real PyTorch (the checkers accept both).
"""
import importlib

from .exercises import Exercise, NotAnswered, Wrong, add, exercise, exercises, expect  # noqa: F401

LESSONS = ["lesson01", "lesson02", "lesson03", "lesson04", "lesson05", "lesson06", "lesson07", "lesson08", "lesson09",
           "lesson10", "lesson11", "lesson12"]

for _name in LESSONS:
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["Exercise", "Wrong", "exercise", "exercises", "expect", "add"]
