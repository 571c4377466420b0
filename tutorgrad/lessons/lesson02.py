"""Exercises of lesson 2, What a tensor is (notebooks/02-tensors.ipynb)."""
import numpy as np

from .answers import dtype_name, expect_shape, known_mistakes, shape, tensor_answer, values
from .exercises import NotAnswered, Wrong, add, expect


@add("2.1", answers=("img",), hints=[
    "One function makes a tensor full of zeros; it takes the size of each dimension, in the order "
    "channels, height, width, and can be told which kind of numbers to hold.",
    "The sizes are 3 (channels), 4 (height), 5 (width); double precision is the dtype torch.float64, "
    "given with dtype=.",
], solution="img = torch.zeros(3, 4, 5, dtype=torch.float64)")
def _(img):
    tensor_answer(img, "img")
    got = shape(img)
    expect(got != (3, 5, 4), "img has shape (3, 5, 4): height and width are swapped. The order is (channels, "
                             "height, width): 4 pixels high, 5 wide.")
    expect(got != (4, 5, 3), "img has shape (4, 5, 3): the channels are last, as in an image file. PyTorch "
                             "wants them first: (channels, height, width).")
    expect(got != (5, 4, 3), "img has shape (5, 4, 3): that is (width, height, channels), the reverse order. "
                             "PyTorch wants (channels, height, width).")
    expect_shape(img, (3, 4, 5), "img")
    kind = dtype_name(img)
    expect(kind != "float32", "img has dtype float32, the default float. Double precision is float64: "
                              "pass dtype=torch.float64.")
    expect(kind == "float64", f"img has dtype {kind}, but double precision is float64: pass dtype=torch.float64.")
    expect(not (values(img) == 1).all(), "img is all ones; the exercise asks for zeros (torch.zeros).")
    expect(not values(img).any(), "img should be all zeros (torch.zeros).")


_DTYPE_ITEMS = [
    ("torch.tensor([1, 2, 3]) / 2", "float32", {
        "int64": "/ is true division: it always gives floats, here float32 (the default float), even for "
                 "integers. // is the one that keeps integers.",
        "float64": "the default float is float32: dividing an int64 tensor with / gives float32 (a Python "
                   "float is double precision, but the tensor's default float is not)."}),
    ("torch.tensor([1, 2, 3]) // 2", "int64", {
        "float32": "// is floor division: integers stay integers, int64.",
        "float64": "// is floor division: integers stay integers, int64."}),
    ("torch.tensor([1, 2]) + torch.tensor([0.5, 0.5], dtype=torch.float64)", "float64", {
        "float32": "the float tensor is float64, and promotion takes the bigger kind: an int64 tensor plus a "
                   "float64 tensor is float64.",
        "int64": "int with float gives float: promotion takes the bigger kind, here float64."}),
    ("torch.tensor([True, False]) + 1", "int64", {
        "bool": "True + 1 is 2, not a truth value: a bool tensor plus a whole number gives int64.",
        "float32": "adding a whole number to bools gives integers, int64; no float is involved."}),
]


def _dtype_text(p):
    return (str(p) if not isinstance(p, str) else p).split(".")[-1].strip().strip("'\"")


@add("2.2", answers=("predictions",), hints=[
    "Ask of each line: which kinds of numbers go in, and does the operation need a bigger kind to hold its "
    "result? Division can make fractions; floor division cannot; bools count as 0 and 1.",
    "The default float is float32. Mixing takes the bigger kind: bool < int64 < float32 < float64. "
    "Check one line at a time in a new cell, with .dtype at the end.",
], solution='predictions = ["float32", "int64", "float64", "int64"]')
def _(predictions):
    if predictions is ...:
        raise NotAnswered
    expect(isinstance(predictions, (list, tuple)) and len(predictions) == 4,
           'Give a list of four dtype names, one per line, e.g. ["float32", "int64", "bool", "complex64"].')
    got = [_dtype_text(p) for p in predictions]
    problems = []
    for n, ((code, right, known), g) in enumerate(zip(_DTYPE_ITEMS, got), 1):
        if g != right:
            why = known.get(g, f"{g!r} is not it; run the line with .dtype to see.")
            problems.append(f"Line {n}, {code}: {why}")
    if problems:
        more = "" if len(problems) == 1 else f" (and {len(problems) - 1} more line(s) to look at again)"
        raise Wrong(problems[0] + more)


@add("2.3", answers=("small", "small_img"), hints=[
    "Two things change: the order of the dimensions (the colour moves from last to first), and the kind of "
    "numbers (whole numbers from 0 to 255 become fractions from 0 to 1).",
    "permute(2, 0, 1) puts the old dimension 2 (channels) first; then .float() and divide by 255.",
], solution="small_img = small.permute(2, 0, 1).float() / 255")
def _(small, small_img):
    tensor_answer(small_img, "small_img")
    h, w, c = shape(small)
    pixels = values(small)
    if shape(small_img) == (h, w, c):
        raise Wrong(f"small_img has shape {(h, w, c)}: still height x width x channels. Move the channels to the "
                    "front with permute(2, 0, 1).")
    if shape(small_img) == (c, h, w) and not dtype_name(small_img).startswith(("float", "bfloat")):
        raise Wrong(f"small_img holds whole numbers from 0 to 255 ({dtype_name(small_img)}). Make floats from 0 "
                    "to 1: .float() / 255.")
    known_mistakes(small_img, [
        (pixels.reshape(c, h, w) / 255, "The shape is right but the pixels are scrambled: reshape(3, ...) regroups "
                                         "the numbers in their stored order (red, green, blue, red, ...). "
                                         "permute(2, 0, 1) moves the channel dimension to the front."),
        (pixels.transpose(2, 1, 0) / 255, f"small_img has shape {(c, w, h)}: height and width are swapped (the "
                                           "picture is turned on its side). permute(2, 0, 1): channels, then "
                                           "height, then width."),
        (pixels.transpose(2, 0, 1), "These are floats, but still from 0 to 255: divide by 255."),
        (pixels.transpose(2, 0, 1) / 256, "Divide by 255, the largest value, not 256: a full channel should be 1."),
    ])
    expect(shape(small_img) != (3, 600, 512), "That is the whole photo; the exercise is about small, every 4th "
                                              "pixel of it.")
    expect_shape(small_img, (c, h, w), "small_img")
    expect(np.allclose(values(small_img), pixels.transpose(2, 0, 1) / 255, atol=1e-6),
           "small_img has the right shape but not the right numbers: small.permute(2, 0, 1), then .float() / 255.")


@add("2.4", answers=("img", "batch"), hints=[
    "A batch has one more dimension than an image, in front, and here its size is 1: nothing is copied, "
    "a dimension is added.",
    "unsqueeze(d) adds a dimension of size 1 at position d; the batch dimension is the first one.",
], solution="batch = img.unsqueeze(0)")
def _(img, batch):
    tensor_answer(batch, "batch")
    c, h, w = shape(img)
    got = shape(batch)
    expect(got != (c, h, w), f"batch has the image's own shape {(c, h, w)}: it needs one more dimension, of size 1, "
                             "in front (unsqueeze(0)).")
    expect(got != (c, h, w, 1), f"batch has shape {got}: the new dimension went to the end. The batch dimension "
                                "comes first: unsqueeze(0).")
    expect(got != (c, 1, h, w), f"batch has shape {got}: the new dimension went after the channels. The batch "
                                "dimension comes first: unsqueeze(0).")
    expect(len(got) != 4 or got[0] == 1 or got[1:] != (c, h, w),
           f"batch has shape {got}: {got[0] if got else 0} images. A batch of one holds the image once: unsqueeze(0), "
           "not stack.")
    expect(got != (1, c * h * w), f"batch has shape {got}: the image is flattened into one row. Keep its "
                                  "(channels, height, width) and add a dimension in front: unsqueeze(0).")
    expect(got != (1, h, w, c), f"batch has shape {got}: that is the photo, channels last. Start from img.")
    expect_shape(batch, (1, c, h, w), "batch")
    expect(np.array_equal(values(batch)[0], values(img)), "batch has the right shape, but it does not hold img.")


@add("2.5", answers=("face", "pair"), hints=[
    "Two steps: make the mirror image (reverse the order of the columns), then join the two pictures along "
    "the dimension that runs from left to right.",
    "The dimensions are (channels, height, width): the mirror is face.flip(2), and torch.cat([...], dim=2) "
    "puts pictures side by side.",
], solution="pair = torch.cat([face, face.flip(2)], dim=2)")
def _(face, pair):
    tensor_answer(pair, "pair")
    f = values(face)
    c, h, w = f.shape
    mirror = f[:, :, ::-1]
    expect(shape(pair) != (2, c, h, w), f"pair has shape {(2, c, h, w)}: torch.stack adds a new dimension, making "
                                        "a batch of two pictures. torch.cat joins along an existing one.")
    known_mistakes(pair, [
        (np.concatenate([f, mirror], 1), f"pair has shape {(c, 2 * h, w)}: the two faces are one above the other, "
                                         "joined along the height (dim=1). Side by side is the width: dim=2."),
        (np.concatenate([f, mirror], 0), f"pair has shape {(2 * c, h, w)}: six channels, joined along dim=0. "
                                         "Side by side is the width: dim=2."),
        (np.concatenate([f, f[:, ::-1, :]], 2), "The second face is upside down: flip(1) reverses the rows "
                                                "(the height). A mirror reverses the columns: flip(2)."),
        (np.concatenate([f, f[::-1]], 2), "The second face has its colours swapped: flip(0) reverses the channels "
                                          "(red and blue trade places). A mirror reverses the columns: flip(2)."),
        (np.concatenate([mirror, f], 2), "The mirrored face is on the left: put face first, then its mirror."),
        (np.concatenate([f, f], 2), "Both faces are the same way round: flip the second one, face.flip(2)."),
    ])
    expect_shape(pair, (c, h, 2 * w), "pair")
    expect(np.allclose(values(pair), np.concatenate([f, mirror], 2)),
           "pair has the right shape but not the right pixels: torch.cat([face, face.flip(2)], dim=2).")
