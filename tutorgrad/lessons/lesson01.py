"""Exercises of lesson 1, Welcome (notebooks/01-welcome.ipynb)."""
import numpy as np

from .answers import expect_values, known_mistakes, tensor_answer
from .exercises import add


@add("1.1", hints=[
    "A tensor is made from a Python list of numbers by a function of torch whose name is the thing you "
    "want to make.",
    "Write the list [1, 2, 3] and pass it to torch.tensor(...).",
], solution="answer = torch.tensor([1, 2, 3])")
def _(answer):
    tensor_answer(answer)
    known_mistakes(answer, [
        ([0, 1, 2], "That is [0, 1, 2]: off by one, it starts at 0 (torch.arange(3) counts from 0). "
                    "Write the three numbers in a list: torch.tensor([1, 2, 3])."),
        ([3, 2, 1], "The numbers are in the wrong order: it should be 1, then 2, then 3."),
        ([[1, 2, 3]], "Your tensor has shape (1, 3): one pair of square brackets too many. "
                      "torch.tensor([1, 2, 3]) has shape (3,)."),
    ])
    expect_values(answer, [1, 2, 3])


@add("1.2", hints=[
    "arange counts from a start up to an end, and the end itself is left out: which start and which end "
    "give 1 to 10?",
    "torch.arange(start, end) gives start, start + 1, ..., end - 1. Here start is 1, and the last number "
    "you want, 10, must be end - 1.",
], solution="answer = torch.arange(1, 11)")
def _(answer):
    tensor_answer(answer)
    known_mistakes(answer, [
        (np.arange(10), "That is 0, 1, ..., 9: off by one at the start. torch.arange(n) counts from 0; give the "
                        "start as well, torch.arange(start, end)."),
        (np.arange(1, 10), "That is 1, 2, ..., 9: off by one at the end. The end is left out, so to include 10 "
                           "the end must be 11."),
        (np.arange(11), "That is 0, 1, ..., 10: eleven numbers, starting at 0. Start at 1: "
                        "torch.arange(start, end)."),
        (np.arange(2, 12), "That is 2, 3, ..., 11: shifted by one. The start is included: start at 1."),
    ])
    expect_values(answer, np.arange(1, 11))


@add("1.3", hints=[
    "Arithmetic on a tensor happens to every element at once, so write the formula once, for all of t.",
    "In Python, x squared is x ** 2 (not x ^ 2). Square t first, then add 1.",
], solution="answer = t ** 2 + 1")
def _(answer):
    tensor_answer(answer)
    known_mistakes(answer, [
        ([1, 4, 9], "Those are the squares: you forgot the plus one. Add 1 after squaring."),
        ([3, 5, 7], "t * 2 doubles each number; squaring is t ** 2 (t times t)."),
        ([4, 9, 16], "You added 1 before squaring, (t + 1) ** 2. Square first, then add 1: t ** 2 + 1."),
        ([2, 1, 0], "In Python ^ is not a power: it is bitwise XOR, and t ^ 2 + 1 even means t ^ 3. "
                    "Use ** for powers: t ** 2 + 1."),
        ([4, 1, 2], "In Python ^ is not a power (it is bitwise XOR: 1 ^ 2 is 3). Use ** for powers: t ** 2."),
    ])
    expect_values(answer, [2, 5, 10])
