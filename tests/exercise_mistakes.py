"""The typical-mistakes table of the lessons' exercises (used by test_exercises.py).

``CONTEXT[lesson]`` stands in for what earlier cells of the lesson made (the data, the photo, the
trained model), and ``GIVEN[name]`` is what the exercise's cell gives the student before its
``...`` lines (the test checks these lines are in the cell).

``MISTAKES`` rows: the exercise, a wrong answer as students really write it (code run after the
given lines, with ``torch`` bound to tutorgrad and then to real PyTorch, ``np``, ``math`` and
``nn`` = ``torch.nn``), and the words its message must contain: the mistake's name and what to do.
"""

CONTEXT = {
    "2": """
import matplotlib.pyplot as plt
from matplotlib.cbook import get_sample_data
photo = torch.tensor(plt.imread(get_sample_data("grace_hopper.jpg")))
img = photo.permute(2, 0, 1).float() / 255
face = img[:, 120:320, 130:330]
""",
}

GIVEN = {
    "1.3": "t = torch.tensor([1, 2, 3])",
    "2.3": "small = photo[::4, ::4]   # every 4th row and column: 150 x 128 x 3",
    "3.1": "x = torch.arange(12).reshape(3, 4)",
    "3.2": "t = torch.tensor([3, -1, 0, 4, -1, 5, -9, 0, 2, 6])",
    "3.3": "marks = torch.tensor([[12, 15, 9], [18, 17, 20], [7, 10, 11], [14, 14, 16]])",
    "3.4": "prices = torch.tensor([10.0, 20.0, 40.0])\nrates = torch.tensor([0.1, 0.2])",
    "4.1": "a = np.arange(4.0)",
    "4.2": "a = np.arange(4.0)",
    "4.3": "w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)",
}

MISTAKES = [
    # --- lesson 1 ---------------------------------------------------------------------------------
    ("1.1", "answer = [1, 2, 3]", ["a list, not a tensor", "torch.tensor"]),
    ("1.1", "answer = torch.arange(3)", ["off by one", "starts at 0"]),
    ("1.1", "answer = torch.tensor([[1, 2, 3]])", ["shape (1, 3)", "brackets too many"]),
    ("1.1", "answer = torch.tensor([3, 2, 1])", ["wrong order"]),
    ("1.2", "answer = torch.arange(10)", ["off by one at the start", "give the start"]),
    ("1.2", "answer = torch.arange(1, 10)", ["off by one at the end", "must be 11"]),
    ("1.2", "answer = torch.arange(0, 11)", ["eleven numbers", "start at 1"]),
    ("1.2", "answer = list(range(1, 11))", ["a list, not a tensor"]),
    ("1.3", "answer = t ** 2", ["forgot the plus one"]),
    ("1.3", "answer = t * 2 + 1", ["doubles", "t ** 2"]),
    ("1.3", "answer = (t + 1) ** 2", ["before squaring", "square first"]),
    ("1.3", "answer = t ^ 2 + 1", ["not a power", "**"]),
    ("1.3", "answer = (t ^ 2) + 1", ["not a power", "**"]),
    # --- lesson 2 ---------------------------------------------------------------------------------
    ("2.1", "img = torch.zeros(3, 5, 4, dtype=torch.float64)", ["height and width are swapped"]),
    ("2.1", "img = torch.zeros(4, 5, 3, dtype=torch.float64)", ["channels are last", "first"]),
    ("2.1", "img = torch.zeros(3, 4, 5)", ["float32", "dtype=torch.float64"]),
    ("2.1", "img = torch.ones(3, 4, 5, dtype=torch.float64)", ["all ones", "zeros"]),
    ("2.2", 'predictions = ["int64", "int64", "float64", "int64"]', ["Line 1", "true division", "//"]),
    ("2.2", 'predictions = ["float32", "float32", "float64", "int64"]', ["Line 2", "floor division", "int64"]),
    ("2.2", 'predictions = ["float32", "int64", "float32", "int64"]', ["Line 3", "bigger kind", "float64"]),
    ("2.2", 'predictions = ["float32", "int64", "float64", "bool"]', ["Line 4", "True + 1 is 2", "int64"]),
    ("2.2", 'predictions = ["float64", "int64", "float64", "int64"]', ["Line 1", "default float is float32"]),
    ("2.3", "small_img = small.reshape(3, 150, 128).float() / 255", ["scrambled", "permute(2, 0, 1)"]),
    ("2.3", "small_img = small.permute(2, 1, 0).float() / 255", ["height and width are swapped"]),
    ("2.3", "small_img = small.permute(2, 0, 1)", ["whole numbers from 0 to 255", ".float() / 255"]),
    ("2.3", "small_img = small.permute(2, 0, 1).float()", ["still from 0 to 255", "divide by 255"]),
    ("2.3", "small_img = small.float() / 255", ["still height x width x channels", "permute(2, 0, 1)"]),
    ("2.3", "small_img = photo.permute(2, 0, 1).float() / 255", ["whole photo", "small"]),
    ("2.4", "batch = img.unsqueeze(-1)", ["went to the end", "unsqueeze(0)"]),
    ("2.4", "batch = img.unsqueeze(1)", ["after the channels", "unsqueeze(0)"]),
    ("2.4", "batch = torch.stack([img, img])", ["2 images", "not stack"]),
    ("2.4", "batch = img", ["one more dimension", "unsqueeze(0)"]),
    ("2.4", "batch = img.reshape(1, -1)", ["flattened", "unsqueeze(0)"]),
    ("2.5", "pair = torch.cat([face, face.flip(2)], dim=1)", ["one above the other", "dim=2"]),
    ("2.5", "pair = torch.stack([face, face.flip(2)])", ["new dimension", "torch.cat"]),
    ("2.5", "pair = torch.cat([face, face.flip(1)], dim=2)", ["upside down", "flip(2)"]),
    ("2.5", "pair = torch.cat([face, face.flip(0)], dim=2)", ["colours swapped", "flip(2)"]),
    ("2.5", "pair = torch.cat([face.flip(2), face], dim=2)", ["mirrored face is on the left"]),
    ("2.5", "pair = torch.cat([face, face], dim=2)", ["same way round", "flip"]),
    # --- lesson 3 ---------------------------------------------------------------------------------
    ("3.1", "answer = x[-1]", ["last row", "x[:, -1]"]),
    ("3.1", "answer = x[:, -1:]", ["shape (3, 1)", "a number, x[:, -1]"]),
    ("3.1", "answer = x[:, 2]", ["off by one", "-1"]),
    ("3.1", "answer = x[:, 0]", ["first column", "-1"]),
    ("3.2", "positive = t > 0", ["the mask itself", "t[t > 0]"]),
    ("3.2", "positive = t[t >= 0]", ["0 is not positive", "t > 0"]),
    ("3.2", "positive = t[t < 0]", ["wrong way round", "t > 0"]),
    ("3.2", "positive = t * (t > 0)", ["all ten places", "t[t > 0]"]),
    ("3.2", "positive = t.clamp(min=0)", ["all ten places", "t[t > 0]"]),
    ("3.2", "positive = t.abs()", ["abs()", "t[t > 0]"]),
    ("3.3", "average = marks.float().mean(dim=0)", ["per test", "dim=1"]),
    ("3.3", "average = marks.float().sum(dim=1)", ["sums, not averages", "mean"]),
    ("3.3", "average = marks.float().mean()", ["one number", "dim="]),
    ("3.3", "average = marks.sum(dim=1) // 3", ["whole numbers", ".float()"]),
    ("3.3", "average = marks.float().mean(dim=1, keepdim=True)", ["shape (4, 1)", "keepdim"]),
    ("3.4", "table = rates.reshape(2, 1) * (1 + prices)", ["shape (2, 3)", "prices the column"]),
    ("3.4", "table = prices.reshape(3, 1) * rates", ["forgot the 1 +", "(1 + rates)"]),
    ("3.4", "table = prices.reshape(3, 1) * rates + 1", ["added 1 after multiplying", "parentheses"]),
    ("3.4", "table = prices[:, None] + rates", ["adds the rate", "multiply"]),
    ("3.5", "torch.manual_seed(7)\nsample = torch.rand(5)", ["uniform", "torch.randn"]),
    ("3.5", "torch.manual_seed(0)\nsample = torch.randn(5)", ["seed 0", "torch.manual_seed(7)"]),
    ("3.5", "torch.manual_seed(7)\ntorch.randn(3)\nsample = torch.randn(5)", ["3 number(s) were drawn", "right after"]),
    ("3.5", "torch.manual_seed(7)\nsample = torch.randn(1, 5)", ["shape (1, 5)", "(5,)"]),
    ("3.5", "g = torch.Generator().manual_seed(99)\nsample = torch.randn(5, generator=g)", ["not the numbers that seed 7 gives", "torch.manual_seed(7)"]),
    # --- lesson 4 ---------------------------------------------------------------------------------
    ("4.1", "t = torch.tensor(a)", ["memory of its own", "torch.from_numpy(a) shares"]),
    ("4.1", "t = torch.from_numpy(a.copy())", ["memory of its own", "torch.from_numpy(a) shares"]),
    ("4.1", "t = torch.from_numpy(a).float()", ["float32", "copy", "keep a's dtype"]),
    ("4.1", "t = torch.as_tensor(a, dtype=torch.float32)", ["float32", "copy"]),
    ("4.1", "t = a", ["the NumPy array", "make a tensor"]),
    ("4.2", "t = torch.from_numpy(a)", ["shares memory", "torch.tensor(a) copies"]),
    ("4.2", "t = torch.as_tensor(a)", ["shares memory", "torch.tensor(a) copies"]),
    ("4.2", "t = torch.tensor(a, dtype=torch.float32)", ["float32", "keep a's dtype"]),
    ("4.2", "t = torch.tensor(a).long()", ["whole numbers", "keep a's dtype"]),
    ("4.2", "t = a.copy()", ["NumPy array, not a tensor"]),
    ("4.3", "arr = w.detach()", ["still a tensor", ".numpy()"]),
    ("4.3", "arr = w.detach().numpy", ["method", "call it"]),
    ("4.3", "arr = w.tolist()", ["Python list", "numpy()"]),
    ("4.4", "prediction = [0.0, 12.0, 12.0]", ["a = a + 10", "new array"]),
    ("4.4", "prediction = [0.0, 1.0, 1.0]", ["a *= 2", "in-place"]),
    ("4.4", "prediction = [2.0, 2.0, 2.0]", ["t[0] = 0.0"]),
    ("4.4", "prediction = [0.0, 11.0, 11.0]", ["a *= 2 before", "did change"]),
]
