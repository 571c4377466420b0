"""Exercises of lesson 3, Working with tensors (notebooks/03-working-with-tensors.ipynb)."""
import numpy as np

from .answers import (dtype_name, expect_shape, expect_values, known_mistakes, lib_of, shape, show, tensor_answer,
                      values)
from .exercises import add, expect


@add("3.1", hints=[
    "An index has one part per dimension: first which rows, then which columns. You want every row, and "
    "one column, the last, counted from the end.",
    "':' means every row; -1 is the last position. Give the column as a number, not a slice, to get a "
    "1-D result.",
], solution="answer = x[:, -1]")
def _(answer):
    tensor_answer(answer)
    expect(shape(answer) != (3, 1), "Your column has shape (3, 1): a slice (-1:) keeps the dimension. Index with a "
                                    "number, x[:, -1], to get shape (3,).")
    known_mistakes(answer, [
        ([8, 9, 10, 11], "You took the last row. The first index picks rows, the second columns: x[:, -1] is every "
                         "row's last element."),
        ([0, 4, 8], "That is the first column (index 0). The last one is index -1 (or 3)."),
        ([2, 6, 10], "That is column 2, the third one: off by one. With 4 columns, the last is index 3, or -1."),
        ([3, 7, 11, 15], "That has four numbers; x has 3 rows, so its last column has three: x[:, -1]."),
        ([0, 1, 2, 3], "You took the first row. Every row's last element is x[:, -1]."),
    ])
    expect_values(answer, [3, 7, 11])


@add("3.2", answers=("positive",), hints=[
    "Two steps: a condition that is True exactly where a number is positive, and then indexing t with "
    "those True/False values.",
    "t > 0 is the mask (0 itself is not positive); t[mask] keeps the elements where the mask is True.",
], solution="positive = t[t > 0]")
def _(positive):
    tensor_answer(positive, "positive")
    expect(dtype_name(positive) != "bool", "positive holds True and False: that is the mask itself. Index t with "
                                           "it, t[t > 0], to keep the numbers where it is True.")
    known_mistakes(positive, [
        ([3, 0, 4, 5, 0, 2, 6], "0 is not positive: t >= 0 keeps the zeros. Use t > 0."),
        ([-1, -1, -9], "Those are the negative numbers: the condition is the wrong way round. Use t > 0."),
        ([3, 0, 0, 4, 0, 5, 0, 0, 2, 6], "This keeps all ten places, with zeros where a number was not positive "
                                         "(multiplying by the mask or clamping). Indexing with the mask removes "
                                         "them: t[t > 0]."),
        ([3, 1, 0, 4, 1, 5, 9, 0, 2, 6], "abs() makes the negative numbers positive instead of leaving them out. "
                                         "Keep only the positive ones: t[t > 0]."),
    ])
    expect_values(positive, [3, 4, 5, 2, 6], "positive")


_MARKS = np.array([[12, 15, 9], [18, 17, 20], [7, 10, 11], [14, 14, 16]], dtype=float)


@add("3.3", answers=("average",), hints=[
    "An average per student combines the numbers in each row. Which dimension disappears when the columns "
    "of a row are combined? And the marks are whole numbers: the mean needs fractions.",
    "Convert with .float() first; then mean along dim=1 (the columns of each row disappear, one number per "
    "row is left).",
], solution="average = marks.float().mean(dim=1)")
def _(average):
    tensor_answer(average, "average")
    expect(dtype_name(average).startswith(("float", "bfloat")),
           f"average has dtype {dtype_name(average)}: whole numbers. 55 // 3 is 18, but the average of 18, 17 and "
           "20 is 18.33: convert with .float() before dividing or taking the mean.")
    expect(shape(average) != (), f"average is one number, {show(average)}: the mean of all the marks. Give dim= to "
                                 "get one average per student.")
    expect(shape(average) != (4, 1), "average has shape (4, 1): keepdim=True kept the combined dimension. Leave it "
                                     "out, one number per student: shape (4,).")
    known_mistakes(average, [
        (_MARKS.mean(0), "That is one average per test, shape (3,): dim=0 combines the rows (the students). Each "
                         "student's average combines a row's columns: dim=1."),
        (_MARKS.sum(1), "Those are sums, not averages: each student's marks add up to these. Take the mean (or "
                        "divide by 3, the number of tests)."),
        (_MARKS.sum(0), "Those are the sums per test: use the mean, and along dim=1 (one per student)."),
        (_MARKS.sum(1) // 3, "Whole numbers: integer division (//) dropped the fractions. Convert to float first."),
    ])
    expect_values(average, _MARKS.mean(1), "average")


@add("3.4", answers=("table",), hints=[
    "Broadcasting stretches a dimension of size 1. Make prices a column (3 rows, 1 column) and keep rates a "
    "row: together they span a 3 x 2 table.",
    "prices.reshape(3, 1) (or prices[:, None]) has shape (3, 1); (1 + rates) has shape (2,); their product "
    "broadcasts to (3, 2).",
], solution="table = prices.reshape(3, 1) * (1 + rates)")
def _(table):
    tensor_answer(table, "table")
    prices, rates = np.array([10.0, 20.0, 40.0]), np.array([0.1, 0.2])
    expect(shape(table) != (2, 3), "table has shape (2, 3): the rates are the rows. Make prices the column (3, 1) "
                                   "and rates the row (2,).")
    known_mistakes(table, [
        (np.outer(prices, rates), "Those are only the taxes, prices[i] * rates[j]: you forgot the 1 +. The price "
                                  "with tax is prices * (1 + rates)."),
        (np.outer(prices, rates) + 1, "You added 1 after multiplying: prices * rates + 1. The 1 belongs to the "
                                      "rate, in parentheses: prices * (1 + rates)."),
        (prices[:, None] + rates, "That adds the rate to the price; multiply by (1 + rate) instead."),
    ])
    expect_values(table, np.outer(prices, 1 + rates), "table")


@add("3.5", answers=("sample",), hints=[
    "A seed fixes the numbers that come next: set it, and draw right after, in the same cell, so that "
    "nothing else draws in between.",
    "torch.manual_seed(7) sets the seed; the standard normal distribution is torch.randn (rand is uniform).",
], solution="""
    torch.manual_seed(7)
    sample = torch.randn(5)
    """)
def _(sample):
    tensor_answer(sample, "sample")
    lib = lib_of(sample)
    got = values(sample).ravel()

    def draws(seed, fn=None, before=0):
        g = lib.Generator().manual_seed(seed)  # a private generator: the student's stream stays untouched
        if before:
            lib.randn(before, generator=g)
        return values((fn or lib.randn)(5, generator=g))

    expect(got.size != 5 or not np.allclose(got, draws(7, lib.rand), atol=1e-6),
           "Those are uniform numbers from 0 to 1 (torch.rand); the standard normal distribution is torch.randn.")
    if got.size == 5 and not np.allclose(got, draws(7), atol=1e-6):
        for seed in (0, 1, 42, 123, 1234, 17, 70):
            expect(not np.allclose(got, draws(seed), atol=1e-6),
                   f"Those are the numbers of seed {seed}; the exercise asks for seed 7: torch.manual_seed(7).")
        for before in range(1, 11):
            expect(not np.allclose(got, draws(7, before=before), atol=1e-6),
                   f"These come from seed 7, but {before} number(s) were drawn after seeding and before your 5. "
                   "Draw right after torch.manual_seed(7), in the same cell.")
    expect_shape(sample, (5,), "sample")
    expect(np.allclose(got, draws(7), atol=1e-6),
           "These are not the numbers that seed 7 gives: was the generator seeded? Call torch.manual_seed(7) "
           "right before torch.randn(5), in the same cell.")
