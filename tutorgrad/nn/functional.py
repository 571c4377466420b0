"""``tutorgrad.nn.functional`` (import it as ``F``): the layers and losses as plain functions.

The modules in ``tutorgrad.nn`` hold parameters and call these. A linear layer
and the losses are ``Function`` s, like the ops in ``tutorgrad/ops/``, so the graph has
PyTorch's nodes (``AddmmBackward0``, ``NllLossBackward0``, ``MseLossBackward0``);
their backward formulas are written with tensor operations, so they can be
differentiated again. ``cross_entropy`` is ``log_softmax`` followed by ``nll_loss``.

>>> logits = tutorgrad.tensor([[2.0, 0.5, -1.0]])
>>> F.cross_entropy(logits, tutorgrad.tensor([0]))   # -log softmax(logits)[0, 0]
tensor(0.2413)
"""
import warnings

import numpy as np

from .. import _dtypes as D
from .._shapes import broadcast_shapes
from ..ops.linalg import check_matmul, mm_mat1_backward, mm_mat2_backward
from ..ops.registry import Op, no_complex, promote
from ..tensor import Tensor, _legacy_type_name

_REDUCTIONS = ("none", "mean", "sum")


# ---------------------------------------------------------------------------- linear
class Addmm(Op):
    """A linear layer as one node, as in PyTorch, instead of matmul then add. The gradient of the bias
    comes back with the batch dimension; the engine sums it down to the bias's shape.
    """
    rule = "Z = b + X @ Wt (a linear layer, with Wt = W.t()).   dL/db = G, dL/dX = G @ Wt^T, dL/dWt = X^T @ G."

    @staticmethod
    def forward(ctx, bias, x, wt):
        a, w, b = x._data, wt._data, bias._data
        if a.dtype is not w.dtype or b.dtype is not w.dtype:  # (the checks' quick form first: this runs per layer)
            _same_dtype("mat1 and mat2", x, wt)
            _same_dtype("self and mat2", bias, wt)
        check_matmul(a.shape, w.shape)
        if b.shape != (w.shape[1],):  # (a bias of its usual shape needs no more checks)
            if b.ndim > 2:  # the bias is expanded to the output's shape (n, m): it can't have more dimensions
                raise RuntimeError(f"expand({_legacy_type_name(bias)}{{{list(b.shape)}}}, size={[a.shape[0], w.shape[1]]}): the "
                                   f"number of sizes provided (2) must be greater or equal to the number of dimensions "
                                   f"in the tensor. A linear layer's bias has shape (out_features,).")
            broadcast_shapes(b.shape, (a.shape[0], w.shape[1]))
        ctx.save_for_backward(x, wt)
        out = a @ w
        out += b  # in place: the product is a fresh array (saves a temporary as big as the output)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, wt = ctx.saved_tensors
        need_b, need_x, need_w = ctx.needs_input_grad
        return (grad if need_b else None,
                mm_mat1_backward(grad, x, wt) if need_x else None,
                mm_mat2_backward(grad, x, wt) if need_w else None)  # (G^T X)^T: in the weight's own layout


def _same_dtype(names, a, b):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{names} must have the same dtype, but got {a.dtype._legacy} and {b.dtype._legacy}. "
                           "A layer's input must have the dtype of its weights: convert it, e.g. x.float() "
                           "(arrays from NumPy are float64, layers are float32).")


def linear(input, weight, bias=None):
    """y = x W^T + b: a fully connected layer. ``weight`` has shape (out_features, in_features)."""
    if bias is not None and input._data.ndim == 2:
        return Addmm.apply(bias, input, weight.t())
    _same_dtype("mat1 and mat2", input, weight)
    out = input @ weight.t()
    return out if bias is None else out + bias


# ---------------------------------------------------------------------------- activations
def relu(input, inplace=False):
    """max(x, 0).   d/dx = 1 where x > 0, else 0."""
    return input.relu_() if inplace else input.relu()


def sigmoid(input):
    """1 / (1 + exp(-x)).   d/dx = s (1 - s)."""
    return input.sigmoid()


def tanh(input):
    """tanh(x).   d/dx = 1 - tanh(x)^2."""
    return input.tanh()


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along ``dim``: turns scores into probabilities."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x_i - log sum_j exp(x_j) along ``dim`` (computed stably): log-probabilities."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


# ---------------------------------------------------------------------------- losses
def _legacy_reduction(size_average, reduce, stacklevel=3):
    """The pre-1.0 ``size_average``/``reduce`` arguments as a ``reduction`` string (with PyTorch's warning)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                  "instead.", UserWarning, stacklevel=stacklevel)
    return reduction


def _reduction(size_average, reduce, reduction):
    """The reduction to apply, checked (the old ``size_average``/``reduce`` arguments still work)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, stacklevel=4)  # (the warning points at the caller)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"{reduction} is not a valid value for reduction")


class MseLoss(Op):
    rule = "L = mean((x - y)^2) (or the sum, or each term).   dL/dx = 2 (x - y) / N = -dL/dy."

    @staticmethod
    def forward(ctx, x, y, reduction):
        a, b = promote(x, y)
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        diff = a - b
        squared = diff * diff
        ctx.n = squared.size
        return squared.mean() if reduction == "mean" else squared.sum() if reduction == "sum" else squared

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        scale = 2 / ctx.n if ctx.reduction == "mean" else 2
        gx = grad * (x - y) * scale
        return (gx if ctx.needs_input_grad[0] else None,
                -gx if ctx.needs_input_grad[1] else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: mean((x - y)^2).   dL/dx = 2 (x - y) / N."""
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", UserWarning, stacklevel=2)
    reduction = _reduction(size_average, reduce, reduction)
    no_complex(input._data, "mse_cpu")
    if weight is None:
        return MseLoss.apply(input, target, reduction=reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    diff = input - target
    weighted = diff * diff * weight
    return weighted.sum() / weight.sum() if reduction == "mean" else _reduce(weighted, reduction)


def _class_targets(input, target, class_dim, ignore_index):
    """Check class-index targets against the scores; return them as an int64 ndarray."""
    if not isinstance(target, Tensor):
        raise TypeError(f"cross_entropy(): argument 'target' must be Tensor, not {type(target).__name__}")
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype._legacy}. Class "
                           "targets are integers (tutorgrad.tensor([0, 2, 1])); for class probabilities pass a "
                           "float target of the same shape as the input.")
    shape, t = input._data.shape, target._data  # (plain tuples: cheaper than Size for these checks)
    expected = shape[:class_dim] + shape[class_dim + 1:]
    if t.shape != expected:
        if len(shape) >= 2 and (t.ndim == 0 or t.shape[0] != shape[0]):
            raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size "
                             f"({t.shape[0] if t.ndim else 1}).")
        raise RuntimeError(f"expected target of shape {list(expected)} for input of shape {list(shape)} "
                           f"(one class index per sample), but got {list(t.shape)}")
    t = t.astype(np.int64, copy=False)
    n_classes = shape[class_dim]
    # (one reduction finds both kinds of target out of range: read as unsigned, negative numbers are the largest)
    if t.size and t.view(np.uint64).max() >= n_classes:  # out of range, unless ignored
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")
    elif not 0 <= ignore_index < n_classes:
        return t, True  # every target is a class and none is ignored (the usual case)
    return t, False


class NllLoss(Op):
    """The negative log-likelihood of the right classes.

    w_i is the weight of sample i's class (1 without class weights, 0 for ignored samples);
    'sum' leaves out the division, 'none' the sum. L is linear in logp, so
    dL/dlogp[i, c] = -w_i / sum_j w_j where c = t_i, and 0 elsewhere.
    """
    rule = ("L = -sum_i w_i logp[i, t_i] / sum_i w_i: minus the (weighted) mean log-probability of the right "
            "classes.")

    @staticmethod
    def forward(ctx, logp, target, weights, class_dim, reduction):
        a = logp._data
        # where each sample's right class is: (sample indices..., target) with the target at class_dim
        if target.ndim == 1 and class_dim == 1:
            where = (np.arange(target.shape[0]), target)  # (the usual (N, C) scores: np.indices's result, quicker)
        else:
            where = list(np.indices(target.shape, sparse=True))
            where.insert(class_dim, target)
            where = tuple(where)
        if weights is None:  # all weights 1
            losses = -a[where]
            total = a.dtype.type(target.size) if reduction == "mean" else 1
        else:
            losses = 0 - a[where] * weights  # (0 - ...: an ignored sample's 0 is +0, as PyTorch's; -(x * 0) may be -0)
            total = weights.sum() if reduction == "mean" else 1
        # the gradient is this constant (-w_i / total at [i, t_i]) times the incoming gradient
        ctx.coef = np.zeros(a.shape, a.dtype)
        if total:  # (every sample ignored: the loss is nan, as in PyTorch, and its gradient 0)
            ctx.coef[where] = (-1 if weights is None else 0 - weights) / total  # (+0 for ignored samples)
        ctx.class_dim, ctx.reduction = class_dim, reduction
        if reduction == "none":
            return losses
        return losses.sum() / total if reduction == "mean" else losses.sum()

    @staticmethod
    def backward(ctx, grad):
        g = grad.unsqueeze(ctx.class_dim) if ctx.reduction == "none" else grad
        return g * Tensor._wrap(ctx.coef)


NllLoss2d = NllLoss.variant("NllLoss2DBackward0", "NllLoss2d")  # PyTorch's name with extra dims (N, C, d1, ...)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood: -mean_i input[i, target[i]] for log-probabilities ``input``.

    ``weight`` gives each class a weight (the mean is then weighted); samples whose
    target is ``ignore_index`` count for nothing. d/d input[i, target[i]] = -1/N.
    """
    reduction = _reduction(size_average, reduce, reduction)
    ndim = input._data.ndim
    class_dim = 0 if ndim == 1 else 1
    t, all_kept = _class_targets(input, target, class_dim, ignore_index)
    if all_kept and weight is None:
        safe, weights = t, None  # every sample has weight 1
    else:
        keep = t != ignore_index
        safe = np.where(keep, t, 0)  # a valid index for ignored samples: their weight is 0
        weights = weight._data[safe] if weight is not None else np.ones(t.shape)
        weights = (weights * keep).astype(input.dtype.np)
    fn = NllLoss2d if ndim > 2 else NllLoss
    return fn.apply(input, target=safe, weights=weights, class_dim=class_dim, reduction=reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy: ``nll_loss(log_softmax(input, 1), target)``.

    ``input`` holds raw scores (logits) of shape (N, C) (or (C,), or (N, C, d1, ...));
    ``target`` holds class indices of shape (N,), or class probabilities of the
    input's shape. dL/d logits = (softmax(logits) - onehot(target)) / N.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    shape = input._data.shape  # (a plain tuple: cheaper than .shape's Size for these checks)
    class_dim = 0 if len(shape) == 1 else 1
    n_classes = shape[class_dim]
    logp = input.log_softmax(class_dim)
    w = None
    if weight is not None:  # shaped to broadcast along the class dimension
        w = weight.reshape((n_classes,) + (1,) * (len(shape) - class_dim - 1))
    if isinstance(target, Tensor) and target._data.shape == shape and target.dtype.is_floating_point:
        # class probabilities: -sum_c p_c log q_c
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        losses = -(logp * target if w is None else logp * target * w).sum(class_dim)
        if reduction == "mean":
            return losses.sum() / (input.numel() // n_classes)
        return _reduce(losses, reduction)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return loss
    # label smoothing: mix in the loss against the uniform distribution over classes
    t = target._data
    keep = Tensor._wrap((t != ignore_index).astype(input.dtype.np))
    smooth = -(logp if w is None else logp * w).sum(class_dim) * keep
    if reduction == "mean":
        denom = keep.sum() if weight is None else float((weight._data[np.where(t != ignore_index, t, 0)] *
                                                        (t != ignore_index)).sum())
        smooth = smooth.sum() / denom
    else:
        smooth = _reduce(smooth, reduction)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


# ---------------------------------------------------------------------------- convolution and pooling
# (the ops and their checks live in tutorgrad/ops/conv.py: F.conv2d is torch.conv2d, as in PyTorch)
from ..ops.conv import (conv1d, conv2d, pad, max_pool1d, max_pool2d, avg_pool1d, avg_pool2d,  # noqa: E402,F401
                        adaptive_avg_pool1d, adaptive_avg_pool2d)
from ..ops import elementwise as _elementwise, normalization as _normalization, indexing as _indexing  # noqa: E402
from ..ops import losses as _losses  # noqa: E402
from ..ops.indexing import one_hot  # noqa: E402,F401
from ..ops.shape import broadcast_tensors  # noqa: E402


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


# ---------------------------------------------------------------------------- more activations
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else ``negative_slope`` * x.   d/dx = 1 or ``negative_slope``."""
    if inplace:
        return input._inplace(lambda: _elementwise.LeakyReluInplace.apply(input, negative_slope=negative_slope))
    return _elementwise.LeakyRelu.apply(input, negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def gelu(input, approximate="none"):
    """x Phi(x), Phi the standard normal CDF (``approximate='tanh'``: its tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return _elementwise.Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish).   d/dx = s (1 + x (1 - s))."""
    if inplace:
        return input._inplace(lambda: _elementwise.Silu.apply(input))
    return _elementwise.Silu.apply(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` while ``training``, scaling the others by 1 / (1 - p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _elementwise.dropout(input, p, training, inplace)


# ---------------------------------------------------------------------------- normalization, embedding
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dimension 1) to mean 0, variance 1, then scale and shift (see ops/normalization.py)."""
    return _normalization.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize the last ``len(normalized_shape)`` dimensions of each sample, then scale and shift."""
    return _normalization.layer_norm(input, normalized_shape, weight, bias, eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Rows of the table ``weight`` picked by the integer tensor ``input``.

    ``padding_idx``'s row gets no gradient; ``max_norm`` first rescales (in place) each picked row whose
    ``norm_type``-norm is larger to that norm.
    """
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _indexing.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rows of ``weight`` used by ``input`` with norm > max_norm are scaled to max_norm (in place, not recorded)."""
    from ..autograd.grad_mode import no_grad
    rows = np.unique(input._data.reshape(-1))
    w = weight._data
    norms = np.sum(np.abs(w[rows]) ** norm_type, axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        with no_grad():
            scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
            w[rows[big]] *= scale[:, None]
            weight._counter().bump()


# ---------------------------------------------------------------------------- more losses
def _check_reduction(size_average, reduce, reduction):
    return _reduction(size_average, reduce, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)) for probabilities x (e.g. after a sigmoid) and targets t in [0, 1]."""
    reduction = _check_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
                         "deprecated. Please ensure they have the same size.")
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._legacy} but expected {input.dtype._legacy}")
    if weight is not None:
        _not_differentiable("binary_cross_entropy", weight=weight)
        weight = weight.expand(broadcast_shapes(target.shape, weight.shape))
    return _losses.BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def _not_differentiable(fn, **tensors):
    from ..autograd.grad_mode import is_grad_enabled
    for name, t in tensors.items():
        if t is not None and t.requires_grad and is_grad_enabled():
            raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{name}'. This "
                               "input cannot have requires_grad True.")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid and binary cross-entropy in one, computed stably from the logits x."""
    reduction = _check_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    no_complex(input._data, "log_sigmoid_cpu")
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {D.promote_types(input.dtype, target.dtype)._legacy} can't be cast to the "
                           f"desired output type {target.dtype._legacy}")
    _not_differentiable("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    return _losses.BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                                      reduction=reduction)


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", UserWarning, stacklevel=3)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """mean(|x - y|).   dL/dx = sign(x - y) / N."""
    _size_warning(input, target)
    reduction = _check_reduction(size_average, reduce, reduction)
    x, y = (input, target) if input.shape == target.shape else broadcast_tensors(input, target)
    errors = (x - y).abs()
    if weight is None:
        return _reduce(errors, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    return weighted.sum() / weight.sum() if reduction == "mean" else _reduce(weighted, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error / (2 beta) where |x - y| < beta, absolute error - beta/2 elsewhere (less sensitive to outliers)."""
    _size_warning(input, target)
    reduction = _check_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    no_complex(input._data, "smooth_l1_cpu")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    x, y = (input, target) if input.shape == target.shape else broadcast_tensors(input, target)
    return _losses.SmoothL1Loss.apply(x, y, reduction=reduction, beta=float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error / 2 where |x - y| < delta, delta (|x - y| - delta/2) elsewhere."""
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    no_complex(input._data, "huber_cpu")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    x, y = (input, target) if input.shape == target.shape else broadcast_tensors(input, target)
    if weight is None:
        return _losses.HuberLoss.apply(x, y, reduction=reduction, delta=float(delta))
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = _losses.HuberLoss.apply(x, y, reduction="none", delta=float(delta)) * weight
    return weighted.mean() if reduction == "mean" else _reduce(weighted, reduction)
