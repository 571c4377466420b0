"""Losses with a node of their own: binary cross-entropy (on probabilities and on logits), smooth L1 and Huber.

(``mse_loss`` and ``nll_loss`` live in ``nn/functional.py``; ``l1_loss`` is ``(x - y).abs()`` reduced, as in
PyTorch, so it needs no op.) Each op takes ``reduction`` (``'mean'``, ``'sum'`` or ``'none'``): the loss of each
element, then their mean or sum; the backward multiplies the elementwise derivative by the upstream gradient
(divided by N for the mean). The backward formulas are tensor ops, so they can be differentiated again.
"""
import numpy as np

from .elementwise import where_
from .registry import Op


def _reduced(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _spread(grad, n, reduction):
    """The upstream gradient of a reduced loss as the gradient of each element's loss."""
    return grad / n if reduction == "mean" else grad


class BinaryCrossEntropy(Op):
    """L = -w (t log x + (1 - t) log(1 - x)) for probabilities x (each log clamped at -100, as PyTorch).

    dL/dx = w (x - t) / (x (1 - x)) (the denominator kept >= 1e-12), dL/dt = w (log(1 - x) - log x).
    """
    rule = "L = -w (t log x + (1 - t) log(1 - x)).   dL/dx = w (x - t) / (x (1 - x)), dL/dt = w log((1 - x) / x)."
    saved_names = ("self", "target", "weight")

    @staticmethod
    def forward(ctx, x, t, weight, reduction):
        w = weight
        a, b = x._data, t._data
        if a.size and not ((a >= 0) & (a <= 1)).all():
            raise RuntimeError("all elements of input should be between 0 and 1")
        ctx.save_for_backward(x, t, w)
        ctx.reduction = reduction
        log_x = np.maximum(np.log(a), -100)
        log_1mx = np.maximum(np.log(1 - a), -100)
        losses = (b - 1) * log_1mx - b * log_x
        if w is not None:
            losses = losses * w._data
        return _reduced(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        g = _spread(grad, x.numel(), ctx.reduction)
        g = g if w is None else g * w
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - t) / ((1 - x) * x).clamp_min(1e-12)
        if ctx.needs_input_grad[1]:
            gt = g * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
        return gx, gt


class BinaryCrossEntropyWithLogits(Op):
    """L = w ((1 - t) x - l log sigmoid(x)) for logits x, l = 1 + (pos_weight - 1) t (l = 1 without pos_weight):
    the cross-entropy of sigmoid(x), computed without ever forming sigmoid(x) (stable for large |x|).

    dL/dx = w (l sigmoid(x) - pos_weight t) (= w (sigmoid(x) - t) without pos_weight), dL/dt = -w (x + (p - 1) log
    sigmoid(x)).
    """
    rule = "L = (1 - t) x - log sigmoid(x) (weighted).   dL/dx = sigmoid(x) - t, dL/dt = -x (weighted)."
    saved_names = ("self", "target", "weight", "pos_weight")

    @staticmethod
    def forward(ctx, x, t, weight, pos_weight, reduction):
        w = weight
        a, b = x._data, t._data
        ctx.save_for_backward(x, t, w, pos_weight)
        ctx.reduction = reduction
        log_sig = np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight._data - 1) * b + 1)
        losses = (1 - b) * a - log_sig
        if w is not None:
            losses = losses * w._data
        return _reduced(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w, pos_weight = ctx.saved_tensors
        g = _spread(grad, x.numel(), ctx.reduction)
        g = g if w is None else g * w
        gx = gt = None
        if ctx.needs_input_grad[0]:
            if pos_weight is None:
                gx = (x.sigmoid() - t) * g
            else:
                pt = pos_weight * t
                gx = ((pt + 1 - t) * x.sigmoid() - pt) * g
        if ctx.needs_input_grad[1]:
            if pos_weight is None:
                gt = -x * g
            else:
                gt = (_log_sigmoid(-x) - _log_sigmoid(x) * pos_weight) * g
        return gx, gt


def _log_sigmoid(x):
    """log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|)), with tensor ops."""
    return x.clamp_max(0) - (-x.abs()).exp().log1p()


class SmoothL1Loss(Op):
    """L = d^2 / (2 beta) where |d| < beta, else |d| - beta / 2, d = x - y: squared near 0, absolute far away.

    dL/dx = d / beta where |d| < beta, else sign(d); dL/dy = -dL/dx.
    """
    rule = "L = d^2 / (2 beta) if |d| < beta else |d| - beta/2, d = x - y.   dL/dx = clamp(d / beta, -1, 1) = -dL/dy."
    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.beta = reduction, beta
        d = x._data - y._data
        ad = np.abs(d)
        losses = np.where(ad < beta, 0.5 * d * d / d.dtype.type(beta), ad - d.dtype.type(0.5 * beta))
        return _reduced(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d = x - y
        slope = where_(d.abs() < ctx.beta, d / ctx.beta, d.sign())
        gx = _spread(grad, x.numel(), ctx.reduction) * slope
        return (gx if ctx.needs_input_grad[0] else None), (-gx if ctx.needs_input_grad[1] else None)


class HuberLoss(Op):
    """L = d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = x - y (smooth L1 times delta).

    dL/dx = clamp(d, -delta, delta); dL/dy = -dL/dx.
    """
    rule = "L = d^2 / 2 if |d| < delta else delta (|d| - delta/2), d = x - y.   dL/dx = clamp(d, -delta, delta) = -dL/dy."
    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.delta = reduction, delta
        d = x._data - y._data
        ad = np.abs(d)
        dt = d.dtype.type
        losses = np.where(ad < delta, dt(0.5) * d * d, dt(delta) * (ad - dt(0.5 * delta)))
        return _reduced(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d = x - y
        slope = where_(d.abs() < ctx.delta, d, d.sign() * ctx.delta)
        gx = _spread(grad, x.numel(), ctx.reduction) * slope
        return (gx if ctx.needs_input_grad[0] else None), (-gx if ctx.needs_input_grad[1] else None)

