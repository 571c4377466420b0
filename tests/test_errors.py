"""Student misuse: tutorgrad raises PyTorch's exception class, with a message carrying PyTorch's key phrase.

Every row of ``MISUSES`` runs with real PyTorch and with tutorgrad. The key phrase is checked in *both*
messages, so the table cannot drift from what PyTorch says. No exception may come from inside NumPy
(a raw NumPy traceback tells a student nothing about tensors).
"""
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tutorgrad
from torchdiff import as_tutorgrad_text, call, torch

NUMPY_DIR = os.path.dirname(np.__file__)
MISSING_FOLDER = Path(tempfile.gettempdir()) / "tutorgrad-test-no-such-folder" / "sub"


def backward_twice(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    y.backward()


def inplace_on_leaf(lib):
    w = lib.ones(2, requires_grad=True)
    w += 1


def inplace_on_saved(lib):
    a = lib.ones(2, requires_grad=True)
    b = a.sigmoid()
    b.mul_(2)
    b.sum().backward()


def requires_grad_off_on_non_leaf(lib):
    y = lib.ones(2, requires_grad=True) * 2
    y.requires_grad = False


def if_on_tensor(lib):
    if lib.tensor([1, 2]) > 0:
        pass


def setitem(x, key, value):
    x[key] = value


def shifted_add(lib):
    x = lib.arange(4.0)
    x[1:].add_(x[:3])


def backward_with_wrong_gradient(lib):
    y = lib.ones(2, requires_grad=True) * 2
    y.backward(lib.ones(3))


# (what the student did, the code, PyTorch's key phrase)
MISUSES = [
    ("shape mismatch in +", lambda lib: lib.ones(2, 3) + lib.ones(4),
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ("shape mismatch in *", lambda lib: lib.ones(2, 3) * lib.ones(2), "must match the size of tensor b (2)"),
    ("matmul shapes", lambda lib: lib.ones(2, 3) @ lib.ones(2, 3),
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ("matmul vectors", lambda lib: lib.ones(3) @ lib.ones(4), "inconsistent tensor size"),
    ("matmul matrix-vector", lambda lib: lib.ones(2, 3) @ lib.ones(2), "2x3"),
    ("matmul batched", lambda lib: lib.ones(2, 2, 3) @ lib.ones(2, 4, 5),
     "Expected size for first two dimensions of batch2 tensor"),
    ("matmul 0-d", lambda lib: lib.tensor(2.0) @ lib.ones(2), "both arguments to matmul need to be at least 1D"),
    ("matmul dtypes", lambda lib: lib.ones(2, 2) @ lib.ones(2, 2, dtype=lib.float64), "to have the same dtype"),
    ("mm of a vector", lambda lib: lib.mm(lib.ones(2), lib.ones(2, 2)), "self must be a matrix"),
    ("mm with a vector", lambda lib: lib.mm(lib.ones(2, 2), lib.ones(2)), "mat2 must be a matrix"),
    ("dot of matrices", lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2)), "1D tensors expected, but got 2D and 1D"),
    ("view to a wrong size", lambda lib: lib.ones(2, 3).view(4), "shape '[4]' is invalid for input of size 6"),
    ("view of a transpose", lambda lib: lib.ones(2, 3).t().view(6),
     "view size is not compatible with input tensor's size and stride"),
    ("view with two -1", lambda lib: lib.ones(2, 3).view(-1, -1), "only one dimension can be inferred"),
    ("reshape to a wrong size", lambda lib: lib.ones(2, 3).reshape(4, 2),
     "shape '[4, 2]' is invalid for input of size 6"),
    ("index out of range", lambda lib: lib.ones(3)[5], "index 5 is out of bounds for dimension 0 with size 3"),
    ("negative index out of range", lambda lib: lib.ones(3)[-4],
     "index -4 is out of bounds for dimension 0 with size 3"),
    ("index out of range in dim 1", lambda lib: lib.ones(2, 3)[0, 7],
     "index 7 is out of bounds for dimension 1 with size 3"),
    ("list index out of range", lambda lib: lib.ones(3)[[0, 5]],
     "index 5 is out of bounds for dimension 0 with size 3"),
    ("tensor index out of range", lambda lib: lib.ones(3)[lib.tensor([0, 5])], "index 5 is out of bounds"),
    ("too many indices", lambda lib: lib.ones(3)[0, 0], "too many indices for tensor of dimension 1"),
    ("float index", lambda lib: lib.ones(3)[1.0], "only integers, slices (`:`), ellipsis (`...`), None"),
    ("float tensor index", lambda lib: lib.ones(3)[lib.tensor([0.0, 1.0])],
     "tensors used as indices must be long, int, byte or bool tensors"),
    ("string index", lambda lib: lib.ones(3)["a"], "invalid data type 'str'"),
    ("mask of the wrong shape", lambda lib: lib.ones(3)[lib.tensor([True, False])],
     "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3]"),
    ("sum over a missing dim", lambda lib: lib.ones(2, 3).sum(2),
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("softmax over a missing dim", lambda lib: lib.ones(2, 3).softmax(dim=-3), "Dimension out of range"),
    ("transpose a missing dim", lambda lib: lib.ones(2, 3).transpose(0, 2), "Dimension out of range"),
    ("unsqueeze too far", lambda lib: lib.ones(2, 3).unsqueeze(4), "expected to be in range of [-3, 2], but got 4"),
    ("squeeze a missing dim", lambda lib: lib.ones(2, 3).squeeze(2), "Dimension out of range"),
    ("cat along a missing dim", lambda lib: lib.cat([lib.ones(2), lib.ones(2)], dim=1), "Dimension out of range"),
    ("size of a missing dim", lambda lib: lib.ones(2, 3).size(2), "Dimension out of range"),
    ("max over a missing dim", lambda lib: lib.ones(2, 3).max(dim=5), "Dimension out of range"),
    ("argmax over a missing dim", lambda lib: lib.ones(2, 3).argmax(dim=5), "Dimension out of range"),
    ("unbind a 0-d tensor", lambda lib: lib.tensor(1.0).unbind(),
     "Dimension specified as 0 but tensor has no dimensions"),
    ("item() of many elements", lambda lib: lib.ones(3).item(),
     "a Tensor with 3 elements cannot be converted to Scalar"),
    ("item() of no elements", lambda lib: lib.ones(0).item(), "a Tensor with 0 elements cannot be converted to Scalar"),
    ("bool() of many elements", lambda lib: bool(lib.ones(3)),
     "Boolean value of Tensor with more than one value is ambiguous"),
    ("if on a tensor", if_on_tensor, "Boolean value of Tensor with more than one value is ambiguous"),
    ("float() of many elements", lambda lib: float(lib.ones(3)),
     "only one element tensors can be converted to Python scalars"),
    ("int() of many elements", lambda lib: int(lib.ones(2)),
     "only one element tensors can be converted to Python scalars"),
    ("len() of a 0-d tensor", lambda lib: len(lib.tensor(1.0)), "len() of a 0-d tensor"),
    ("iterating a 0-d tensor", lambda lib: iter(lib.tensor(1.0)), "iteration over a 0-d tensor"),
    ("requires_grad on ints", lambda lib: lib.tensor([1, 2], requires_grad=True), "can require gradients"),
    ("requires_grad_() on ints", lambda lib: lib.arange(3).requires_grad_(), "can require gradients"),
    ("requires_grad = True on ints", lambda lib: setattr(lib.tensor([1, 2]), "requires_grad", True),
     "can require gradients"),
    ("zeros(..., requires_grad) on ints", lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
     "can require gradients"),
    (".numpy() with grad", lambda lib: lib.ones(2, requires_grad=True).numpy(),
     "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    (".numpy() of a result", lambda lib: (lib.ones(2, requires_grad=True) * 2).numpy(),
     "Use tensor.detach().numpy() instead."),
    ("backward() on a non-scalar", lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(),
     "grad can be implicitly created only for scalar outputs"),
    ("backward() without requires_grad", lambda lib: lib.tensor(2.0).backward(),
     "element 0 of tensors does not require grad and does not have a grad_fn"),
    ("backward() twice", backward_twice, "Trying to backward through the graph a second time"),
    ("backward() with a wrong gradient shape", backward_with_wrong_gradient,
     "Mismatch in shape: grad_output[0] has a shape of tutorgrad.Size([3]) and output[0] has a shape of "
     "tutorgrad.Size([2])"),
    ("in-place on a leaf", inplace_on_leaf,
     "a leaf Variable that requires grad is being used in an in-place operation"),
    ("in-place on a saved tensor", inplace_on_saved,
     "one of the variables needed for gradient computation has been modified by an inplace operation"),
    ("requires_grad = False on a result", requires_grad_off_on_non_leaf,
     "you can only change requires_grad flags of leaf variables"),
    ("linear with a bias of too many dimensions",
     lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(1, 2, 4)),
     "the number of sizes provided (2) must be greater or equal to the number of dimensions in the tensor"),
    (".cuda()", lambda lib: lib.ones(2).cuda(), "Torch not compiled with CUDA enabled"),
    (".to('cuda')", lambda lib: lib.ones(2).to("cuda"), "Torch not compiled with CUDA enabled"),
    ("device='cuda'", lambda lib: lib.ones(2, device="cuda"), "Torch not compiled with CUDA enabled"),
    ("tensor(..., device='cuda:0')", lambda lib: lib.tensor([1.0], device="cuda:0"),
     "Torch not compiled with CUDA enabled"),
    (".to('float32') (a string)", lambda lib: lib.ones(2).to("float32"), "Invalid device string: 'float32'"),
    ("ragged list", lambda lib: lib.tensor([[1, 2], [3]]), "expected sequence of length 2 at dim 1 (got 1)"),
    ("ragged deep list", lambda lib: lib.tensor([[[1, 2]], [[3]]]), "expected sequence of length 2 at dim 2 (got 1)"),
    ("list mixing numbers and lists", lambda lib: lib.tensor([[1, 2], 3]), "not a sequence"),
    ("string data", lambda lib: lib.tensor("abc"), "new(): invalid data type 'str'"),
    ("string in a list", lambda lib: lib.tensor([1, "a"]), "new(): invalid data type 'str'"),
    ("None as data", lambda lib: lib.tensor(None), "Could not infer dtype of NoneType"),
    ("list of multi-element tensors", lambda lib: lib.tensor([lib.ones(2), lib.ones(2)]),
     "only one element tensors can be converted to Python scalars"),
    ("int beyond int64", lambda lib: lib.tensor([2 ** 70]), "Overflow when unpacking long long"),
    ("value beyond the dtype", lambda lib: lib.tensor([300], dtype=lib.uint8),
     "value cannot be converted to type uint8 without overflow"),
    ("mean of ints", lambda lib: lib.tensor([1, 2]).mean(),
     "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"),
    ("std of ints", lambda lib: lib.tensor([1, 2]).std(), "std and var only support floating point and complex dtypes"),
    ("var of bools", lambda lib: lib.tensor([True]).var(),
     "std and var only support floating point and complex dtypes"),
    ("softmax of ints", lambda lib: lib.tensor([1, 2]).softmax(0),
     "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    ("log_softmax of ints", lambda lib: lib.tensor([[1, 2]]).log_softmax(0),
     "\"log_softmax_kernel_impl\" not implemented"),
    ("argmax of bools", lambda lib: lib.tensor([True, False]).argmax(), "argmax(): does not support bool input"),
    ("norm of ints", lambda lib: lib.tensor([3, 4]).norm(),
     "Expected a floating point or complex tensor as input. Got Long"),
    ("max of an empty tensor", lambda lib: lib.ones(0).max(),
     "Expected reduction dim to be specified for input.numel() == 0"),
    ("cat of different sizes", lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]),
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1"),
    ("cat of different ndims", lambda lib: lib.cat([lib.ones(2, 3), lib.ones(3)]),
     "Tensors must have same number of dimensions"),
    ("cat of 0-d tensors", lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]),
     "zero-dimensional tensor (at position 0) cannot be concatenated"),
    ("cat without a list", lambda lib: lib.cat(lib.ones(2), lib.ones(2)), "cat(): argument 'tensors'"),
    ("cat of nothing", lambda lib: lib.cat([]), "expected a non-empty list of Tensors"),
    ("stack of different sizes", lambda lib: lib.stack([lib.ones(2), lib.ones(3)]),
     "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"),
    ("expand a non-1 dim", lambda lib: lib.ones(2).expand(3),
     "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0"),
    ("expand to fewer dims", lambda lib: lib.ones(2, 3).expand(3),
     "the number of sizes provided (1) must be greater or equal"),
    ("permute with too few dims", lambda lib: lib.ones(2, 3).permute(0),
     "number of dimensions in the tensor input does not match"),
    ("permute with a repeated dim", lambda lib: lib.ones(2, 3).permute(0, 0), "duplicate dims are not allowed"),
    ("split sizes that don't add up", lambda lib: lib.ones(5).split([2, 2]),
     "split_with_sizes expects split_sizes to sum exactly to 5"),
    ("chunk(0)", lambda lib: lib.ones(4).chunk(0), "chunk expects `chunks` to be greater than 0, got: 0"),
    ("flatten dims reversed", lambda lib: lib.ones(2, 3, 4).flatten(2, 1), "start_dim cannot come after end_dim"),
    ("repeat with too few sizes", lambda lib: lib.ones(2, 3).repeat(2),
     "Number of dimensions of repeat dims can not be smaller"),
    ("negative size", lambda lib: lib.ones(-1), "Trying to create tensor with negative dimension -1: [-1]"),
    ("float size", lambda lib: lib.zeros(2.5), "zeros(): argument 'size'"),
    ("arange step 0", lambda lib: lib.arange(0, 10, 0), "step must be nonzero"),
    ("arange going the wrong way", lambda lib: lib.arange(0, 10, -1),
     "upper bound and lower bound inconsistent with step sign"),
    ("linspace negative steps", lambda lib: lib.linspace(0, 1, -1), "number of steps must be non-negative"),
    ("eye(-1)", lambda lib: lib.eye(-1), "n must be greater or equal to 0, got -1"),
    ("randint with low >= high", lambda lib: lib.randint(5, 2, (3,)), "random_ expects 'from' to be less than 'to'"),
    ("rand with an int dtype", lambda lib: lib.rand(2, dtype=lib.int64),
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    ("int ** negative int", lambda lib: lib.tensor([1, 2]) ** -1,
     "Integers to negative integer powers are not allowed."),
    ("int // 0", lambda lib: lib.tensor([1]) // 0, "ZeroDivisionError"),
    ("int % 0", lambda lib: lib.tensor([1]) % 0, "ZeroDivisionError"),
    ("bool - bool", lambda lib: lib.tensor([True]) - lib.tensor([False]),
     "Subtraction, the `-` operator, with two bool tensors is not supported"),
    ("bool - int", lambda lib: lib.tensor([True]) - 1,
     "Subtraction, the `-` operator, with a bool tensor is not supported"),
    ("-bool", lambda lib: -lib.tensor([True]), "Negation, the `-` operator, on a bool tensor is not supported"),
    ("~float", lambda lib: ~lib.tensor([1.0]), "is only implemented on integer and Boolean-type tensors"),
    ("float & float", lambda lib: lib.tensor([1.0]) & lib.tensor([1.0]),
     "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("bool ** bool", lambda lib: lib.tensor([True]) ** lib.tensor([True]), "\"pow\" not implemented for 'Bool'"),
    ("complex < complex", lambda lib: lib.tensor([1j]) < lib.tensor([2j]),
     "\"lt_cpu\" not implemented for 'ComplexFloat'"),
    ("tensor + str", lambda lib: lib.ones(2) + "a", "unsupported operand type(s) for +: 'Tensor' and 'str'"),
    ("tensor + list", lambda lib: lib.ones(2) + [1, 2], "unsupported operand type(s) for +: 'Tensor' and 'list'"),
    ("tensor * None", lambda lib: lib.ones(2) * None, "unsupported operand type(s) for *: 'Tensor' and 'NoneType'"),
    ("exp of a list", lambda lib: lib.exp([1.0, 2.0]), "exp(): argument 'input' (position 1) must be Tensor, not list"),
    ("sum of a list", lambda lib: lib.sum([1, 2]), "sum(): argument 'input' (position 1) must be Tensor, not list"),
    ("maximum with a number", lambda lib: lib.maximum(lib.ones(2), 0), "must be Tensor, not int"),
    ("clamp without bounds", lambda lib: lib.ones(2).clamp(), "At least one of 'min' or 'max' must not be None"),
    ("where with an int condition", lambda lib: lib.where(lib.tensor([1, 0]), lib.ones(2), lib.zeros(2)),
     "where expected condition to be a boolean tensor"),
    ("grad of a leaf before backward", lambda lib: lib.ones(2, requires_grad=True).grad.zero_(),
     "'NoneType' object has no attribute 'zero_'"),
    ("slice assignment of the wrong size", lambda lib: setitem(lib.zeros(3), slice(None), lib.ones(2)),
     "The expanded size of the tensor (3) must match the existing size (2)"),
    ("index assignment of the wrong size", lambda lib: setitem(lib.zeros(3), [0, 1], lib.ones(3)),
     "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2]"),
    ("assigning a string", lambda lib: setitem(lib.zeros(2), 0, "a"), "can't assign a str to a"),
    ("assigning a complex number", lambda lib: setitem(lib.zeros(2), 0, 1j), "value cannot be converted to type float"),
    ("index assignment of another dtype", lambda lib: setitem(lib.zeros(2), [0], lib.tensor([1])),
     "Index put requires the source and destination dtypes match, got Float for the destination and Long for the "
     "source"),
    ("writing into a shifted view of itself", shifted_add, "refer to a single memory location. Please clone()"),
    ("int tensor += float", lambda lib: lib.tensor([1, 2]).add_(0.5),
     "result type Float can't be cast to the desired output type Long"),
    ("int tensor /= 2", lambda lib: lib.tensor([1, 2]).div_(2),
     "result type Float can't be cast to the desired output type Long"),
    ("in-place with a broadcast result", lambda lib: lib.ones(3).add_(lib.ones(2, 3)),
     "output with shape [3] doesn't match the broadcast shape [2, 3]"),
    ("in-place on an expanded tensor", lambda lib: lib.ones(1, 3).expand(2, 3).add_(1),
     "more than one element of the written-to tensor refers to a single memory location"),
    ("in-place on a view of a leaf", lambda lib: lib.ones(2, requires_grad=True)[0].add_(1),
     "a view of a leaf Variable that requires grad is being used in an in-place operation"),
    ("index assignment into a leaf", lambda lib: setitem(lib.ones(2, requires_grad=True), 0, 5.0),
     "leaf Variable that requires grad is being used in an in-place operation"),
    ("zero_() of a leaf", lambda lib: lib.ones(2, requires_grad=True).zero_(),
     "a leaf Variable that requires grad is being used in an in-place operation"),
    ("index_select with floats", lambda lib: lib.ones(3).index_select(0, lib.tensor([0.0])), "Expected dtype int32"),
    ("gather with floats", lambda lib: lib.ones(2, 2).gather(1, lib.tensor([[0.0]])), "Expected dtype int32"),
    ("Size out of range", lambda lib: lib.ones(2, 3).shape[2], "tuple index out of range"),
    # issue 15: misuse that tutorgrad used to accept, or answer with another class or an unhelpful message
    ("tensor of strings", lambda lib: lib.tensor(["1.5", "2.0"]), "too many dimensions 'str'"),
    ("tensor of nested strings", lambda lib: lib.tensor([["1.5"], ["2.0"]]), "too many dimensions 'str'"),
    ("dtype=np.float32", lambda lib: lib.zeros(2, dtype=np.float32),
     "zeros(): argument 'dtype' must be tutorgrad.dtype, not type"),
    ("dtype=np.dtype('float64')", lambda lib: lib.ones(2, dtype=np.dtype("float64")),
     "ones(): argument 'dtype' must be tutorgrad.dtype, not numpy.dtypes.Float64DType"),
    ("dtype='float32'", lambda lib: lib.tensor([1.0], dtype="float32"),
     "tensor(): argument 'dtype' must be tutorgrad.dtype, not str"),
    ("full with a NumPy dtype", lambda lib: lib.full((2,), 1.0, dtype=np.float64),
     "full(): argument 'dtype' must be tutorgrad.dtype, not type"),
    ("zeros_like with a string dtype", lambda lib: lib.zeros_like(lib.ones(2), dtype="float64"),
     "argument 'dtype' must be tutorgrad.dtype, not str"),
    (".to(np.float64)", lambda lib: lib.ones(2).to(np.float64), "tutorgrad.dtype"),
    (".to(dtype='float64')", lambda lib: lib.ones(2).to(dtype="float64"), "tutorgrad.dtype"),
    (".type(np.float32)", lambda lib: lib.ones(2).type(np.float32), "invalid type: 'numpy.float32'"),
    (".type(float)", lambda lib: lib.ones(2).type(float), "invalid type: 'float'"),
    ("Module.to(np.float64)", lambda lib: lib.nn.Linear(2, 2).to(np.float64), "tutorgrad.dtype"),
    ("randint(low, high, int)", lambda lib: lib.randint(0, 10, 5), "tuple of ints"),
    ("randint(high, int)", lambda lib: lib.randint(10, 5), "must be tuple of ints, not int"),
    ("multinomial with a negative weight", lambda lib: lib.multinomial(lib.tensor([0.5, -0.1]), 1),
     "probability tensor contains either `inf`, `nan` or element < 0"),
    ("multinomial with a nan weight", lambda lib: lib.multinomial(lib.tensor([0.5, float("nan")]), 1),
     "probability tensor contains either `inf`, `nan` or element < 0"),
    ("multinomial of zeros", lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
     "invalid multinomial distribution (sum of probabilities <= 0)"),
    ("multinomial with a row of zeros", lambda lib: lib.multinomial(lib.tensor([[0.5, 0.5], [0.0, 0.0]]), 1),
     "invalid multinomial distribution (sum of probabilities <= 0)"),
    ("multinomial of more than there is", lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 3),
     "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    ("multinomial with replacement, negative", lambda lib: lib.multinomial(lib.tensor([0.5, -0.1]), 2, True),
     "invalid multinomial distribution (encountering probability entry < 0)"),
    ("multinomial with replacement, inf", lambda lib: lib.multinomial(lib.tensor([0.5, float("inf")]), 2, True),
     "invalid multinomial distribution (encountering probability entry = infinity or NaN)"),
    ("multinomial of ints", lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
     "multinomial only supports floating-point dtypes for input, got: Long"),
    ("multinomial of 0 samples", lambda lib: lib.multinomial(lib.ones(2), 0), "cannot sample n_sample <= 0 samples"),
    ("multinomial of a 3-d tensor", lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1), "prob_dist must be 1 or 2 dim"),
    ("multinomial of 1.5 samples", lambda lib: lib.multinomial(lib.ones(2), 1.5),
     "argument 'num_samples' (position 2) must be int, not float"),
    ("bernoulli of 1.5", lambda lib: lib.bernoulli(lib.tensor([1.5])),
     "Expected p_in >= 0 && p_in <= 1 to be true, but got false"),
    ("bernoulli of -0.5 and nan", lambda lib: lib.bernoulli(lib.tensor([-0.5, float("nan")])),
     "Expected p_in >= 0 && p_in <= 1 to be true, but got false"),
    ("bernoulli of ints", lambda lib: lib.bernoulli(lib.tensor([1, 0])),
     "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"),
    ("bernoulli with p=1.5", lambda lib: lib.bernoulli(lib.ones(2), 1.5),
     "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    ("save into a missing folder", lambda lib: lib.save({"w": lib.ones(2)}, MISSING_FOLDER / "model.pt"),
     f"Parent directory {MISSING_FOLDER} does not exist."),
]


def _innermost_file(exc):
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename


@pytest.mark.parametrize("what, fn, phrase", MISUSES, ids=[m[0] for m in MISUSES])
def test_misuse_raises_like_pytorch(what, fn, phrase):
    ref, ours = call(fn, torch), call(fn, tutorgrad)
    assert isinstance(ref, Exception), f"PyTorch no longer raises for {what!r}: the table needs updating"
    assert phrase in as_tutorgrad_text(str(ref)), f"the key phrase is not in PyTorch's message: {ref}"
    assert isinstance(ours, Exception), f"tutorgrad does not raise for {what!r}; PyTorch raises {ref!r}"
    assert type(ours) is type(ref), f"tutorgrad raises {type(ours).__name__}({ours}), PyTorch {type(ref).__name__}"
    assert phrase in str(ours), f"tutorgrad's message lacks PyTorch's key phrase {phrase!r}: {ours}"
    assert not _innermost_file(ours).startswith(NUMPY_DIR), f"raised from inside NumPy: {ours!r}"


HINTS = [  # where tutorgrad's message also says how to fix it
    (lambda: tutorgrad.ones(2, requires_grad=True).numpy(), "detach()"),
    (lambda: tutorgrad.ones(3).item(), "t.sum()"),
    (lambda: bool(tutorgrad.ones(3)), ".any() or .all()"),
    (lambda: tutorgrad.tensor([1, 2]).mean(), "t.float().mean()"),
    (lambda: tutorgrad.ones(2).cuda(), "device='cpu'"),
    (lambda: tutorgrad.ones(2, 3).t().view(6), ".reshape(...)"),
    (lambda: (tutorgrad.ones(2, requires_grad=True) * 2).backward(), "sum().backward()"),
    (lambda: tutorgrad.tensor([1, 2], requires_grad=True), ".float()"),
    (lambda: inplace_on_leaf(tutorgrad), "no_grad()"),
    (lambda: tutorgrad.tensor([1, 2]).softmax(0), "float"),
    (lambda: tutorgrad.tensor([1, 2, 3])[tutorgrad.tensor([0.0])], "long"),
    (lambda: tutorgrad.maximum(tutorgrad.ones(2), 0), "tutorgrad.tensor(0.0)"),
    (lambda: tutorgrad.tensor([lambda: 0]), "Could not infer dtype of function"),
    (lambda: tutorgrad.tensor(["1.5", "2.0"]), "tutorgrad.tensor([float(s) for s in strings])"),
    (lambda: tutorgrad.zeros(2, dtype=np.float32), "use tutorgrad.float32 (torch.float32 after"),
    (lambda: tutorgrad.ones(2, dtype=np.dtype("float64")), "use tutorgrad.float64"),
    (lambda: tutorgrad.tensor([1.0], dtype="torch.long"), "use tutorgrad.int64"),
    (lambda: tutorgrad.ones(2).type(np.float32), "t.type(tutorgrad.float64)"),
    (lambda: tutorgrad.randint(0, 10, 5), "randint(0, 10, (5,)) for 5 numbers"),
    (lambda: tutorgrad.multinomial(tutorgrad.ones(2), 3), "replacement=True"),
    (lambda: tutorgrad.bernoulli(tutorgrad.tensor([0.5, 1.5])), "this tensor has 1.5"),
    (lambda: tutorgrad.bernoulli(tutorgrad.tensor([1, 0])), "probs.float()"),
    (lambda: tutorgrad.save(1, MISSING_FOLDER / "m.pt"), "os.makedirs("),
]


@pytest.mark.parametrize("fn, hint", HINTS, ids=[h for _, h in HINTS])
def test_messages_say_how_to_fix_it(fn, hint):
    with pytest.raises(Exception) as info:
        fn()
    assert hint in str(info.value)


def test_non_leaf_grad_access_warns_like_pytorch():
    for lib in (torch, tutorgrad):
        y = lib.ones(2, requires_grad=True) * 2
        with pytest.warns(UserWarning, match="is being accessed. Its .grad attribute won't be populated"):
            assert y.grad is None


def test_std_of_one_number_warns_and_gives_nan():
    for lib in (torch, tutorgrad):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            assert lib.tensor([2.0]).std().isnan().item()


def test_no_numpy_warnings_from_nan_and_inf():
    """1/0, log(-1), 0/0: inf and nan as in PyTorch, and no NumPy RuntimeWarning."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = tutorgrad.tensor([0.0, -1.0, 1.0])
        out = [1 / x, x.log(), x / x, x.sqrt(), x.exp() ** 1000, tutorgrad.tensor([1e30]) * 1e30]
    ref = torch.tensor([0.0, -1.0, 1.0])
    expected = [1 / ref, ref.log(), ref / ref, ref.sqrt(), ref.exp() ** 1000, torch.tensor([1e30]) * 1e30]
    for o, e in zip(out, expected):
        np.testing.assert_array_equal(o.numpy(), e.numpy())


# ------------------------------------------------------------------------------------------ fuzzing
SHAPES = st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple)
OPS = {
    "add": lambda lib, a, b, i: a + b,
    "matmul": lambda lib, a, b, i: a @ b,
    "cat": lambda lib, a, b, i: lib.cat([a, b], dim=i),
    "stack": lambda lib, a, b, i: lib.stack([a, b], dim=i),
    "reshape": lambda lib, a, b, i: a.reshape(tuple(b.shape) + (i,)),
    "view": lambda lib, a, b, i: a.t().view(-1) if a.ndim == 2 else a.view(i, -1),
    "index": lambda lib, a, b, i: a[i],
    "index list": lambda lib, a, b, i: a[[i, 0]],
    "slice set": lambda lib, a, b, i: setitem(a, slice(None), b),
    "expand": lambda lib, a, b, i: a.expand(b.shape),
    "sum dim": lambda lib, a, b, i: a.sum(i),
    "max dim": lambda lib, a, b, i: a.max(i),
    "softmax": lambda lib, a, b, i: a.softmax(i),
    "transpose": lambda lib, a, b, i: a.transpose(i, 0),
    "squeeze": lambda lib, a, b, i: a.squeeze(i),
    "unsqueeze": lambda lib, a, b, i: a.unsqueeze(i),
    "mask": lambda lib, a, b, i: a[b > 0],
    "split": lambda lib, a, b, i: a.split(i),
    "chunk": lambda lib, a, b, i: a.chunk(i),
    "where": lambda lib, a, b, i: lib.where(a > 0, a, b),
    "flatten": lambda lib, a, b, i: a.flatten(i),
    "permute": lambda lib, a, b, i: a.permute(*([i] * a.ndim)),
    "item": lambda lib, a, b, i: a.item(),
    "dot": lambda lib, a, b, i: lib.dot(a, b),
}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(OPS)), SHAPES, SHAPES, st.integers(-4, 4))
def test_fuzzed_misuse_matches_pytorch(op, sa, sb, i):
    """Random shapes and dims: where PyTorch raises, tutorgrad raises the same class (never from NumPy);
    where PyTorch succeeds, tutorgrad gives the same shape."""
    def run(lib):
        a = lib.arange(float(np.prod(sa))).reshape(sa) - 1
        b = lib.arange(float(np.prod(sb))).reshape(sb)
        return OPS[op](lib, a, b, i)
    ref, ours = call(run, torch), call(run, tutorgrad)
    where = f"{op} with shapes {sa}, {sb}, i={i}"
    if isinstance(ours, IndexError) and getattr(ref, "numel", lambda: 1)() == 0:
        return  # PyTorch skips the bounds check when the result is empty; tutorgrad still reports the bad index
    if isinstance(ref, Exception):
        assert isinstance(ours, Exception), f"{where}: PyTorch raises {ref!r}, tutorgrad returns {ours!r}"
        assert type(ours) is type(ref), f"{where}: {ours!r} vs PyTorch's {ref!r}"
        assert not _innermost_file(ours).startswith(NUMPY_DIR), f"{where}: raised from inside NumPy: {ours!r}"
    else:
        assert not isinstance(ours, Exception), f"{where}: tutorgrad raises {ours!r}"
        shape = lambda r: [tuple(x.shape) for x in r] if isinstance(r, tuple) else getattr(r, "shape", r)
        assert shape(ours) == shape(ref), where
