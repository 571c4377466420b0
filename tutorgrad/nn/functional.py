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
from ..ops.registry import Op, promote
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
        _same_dtype("mat1 and mat2", x, wt)
        _same_dtype("self and mat2", bias, wt)
        check_matmul(a.shape, w.shape)
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
    if input.ndim == 2 and bias is not None:
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
    expected = input.shape[:class_dim] + input.shape[class_dim + 1:]
    if target.shape != expected:
        if input.ndim >= 2 and (target.ndim == 0 or target.shape[0] != input.shape[0]):
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0] if target.ndim else 1}).")
        raise RuntimeError(f"expected target of shape {list(expected)} for input of shape {list(input.shape)} "
                           f"(one class index per sample), but got {list(target.shape)}")
    t = target._data.astype(np.int64, copy=False)
    n_classes = input.shape[class_dim]
    if t.size and (t.min() < 0 or t.max() >= n_classes):  # out of range, unless ignored
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
        where = list(np.indices(target.shape, sparse=True))
        where.insert(class_dim, target)
        where = tuple(where)
        if weights is None:  # all weights 1
            losses = -a[where]
            total = a.dtype.type(target.size) if reduction == "mean" else 1
        else:
            losses = -a[where] * weights
            total = weights.sum() if reduction == "mean" else 1
        # the gradient is this constant (-w_i / total at [i, t_i]) times the incoming gradient
        ctx.coef = np.zeros(a.shape, a.dtype)
        if total:  # (every sample ignored: the loss is nan, as in PyTorch, and its gradient 0)
            ctx.coef[where] = (-1 if weights is None else -weights) / total
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
    class_dim = 0 if input.ndim == 1 else 1
    t, all_kept = _class_targets(input, target, class_dim, ignore_index)
    if all_kept and weight is None:
        safe, weights = t, None  # every sample has weight 1
    else:
        keep = t != ignore_index
        safe = np.where(keep, t, 0)  # a valid index for ignored samples: their weight is 0
        weights = weight._data[safe] if weight is not None else np.ones(t.shape)
        weights = (weights * keep).astype(input.dtype.np)
    fn = NllLoss2d if input.ndim > 2 else NllLoss
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
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    logp = input.log_softmax(class_dim)
    w = None
    if weight is not None:  # shaped to broadcast along the class dimension
        w = weight.reshape((n_classes,) + (1,) * (input.ndim - class_dim - 1))
    if isinstance(target, Tensor) and target.dtype.is_floating_point and target.shape == input.shape:
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
