"""Normalization: ``batch_norm`` and ``layer_norm``.

Both shift and scale x to mean 0 and variance 1 over some dimensions, then apply a learned scale w and
shift b: ``y = (x - mean) / sqrt(var + eps) * w + b`` (var is the biased variance, divided by N).
``batch_norm`` averages over the batch and the positions (one mean per channel; in eval mode it uses the
running statistics instead), ``layer_norm`` over the last dimensions of each sample.

Their backward is the same formula: with xhat = (x - mean) / sigma and d = g w,
``dL/dx = (d - mean(d) - xhat * mean(d * xhat)) / sigma`` (the means over the normalized dimensions: moving
one x moves the mean and the variance too), ``dL/dw = sum(g * xhat)``, ``dL/db = sum(g)``. It is written
with tensor ops, so it can be differentiated again.
"""
import numpy as np

from ..autograd import grad_mode
from .registry import Op, T, no_complex, register


def _same_dtype(input, *params):
    """PyTorch's CPU kernels take the parameters and running statistics in the input's dtype (float32 ones with a
    float16/bfloat16 input): float64 data from NumPy into a float32 layer is refused, not silently mixed."""
    dt = input.dtype
    for t in params:
        if t is not None and t.dtype != dt and not (t.dtype.itemsize == 4 and dt.is_floating_point and dt.itemsize == 2):
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype. (Convert the input with "
                               f".to({t.dtype}), e.g. x.float() for NumPy's float64 data, or the layer with .to({dt}).)")


def _normalized(x, dims, eps):
    """(xhat, invstd) computed with tensor ops (differentiable), keeping the reduced dims."""
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    invstd = ((centered * centered).mean(dims, keepdim=True) + eps).rsqrt()
    return centered * invstd, invstd


def _norm_backward(ctx, grad, x, w, stat_dims, param_dims, param_shape, running):
    """dL/dx, dL/dw, dL/db of y = xhat * w + b (see the module's docstring)."""
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    if running is None:
        xhat, invstd = _normalized(x, stat_dims, ctx.eps)
    else:  # eval: the statistics are constants
        mean, invstd = running
        xhat = (x - mean) * invstd
    gx = gw = gb = None
    if need_x:
        d = grad * w.reshape(param_shape) if w is not None else grad
        if running is None:
            gx = (d - d.mean(stat_dims, keepdim=True) - xhat * (d * xhat).mean(stat_dims, keepdim=True)) * invstd
        else:
            gx = d * invstd
    if need_w:
        gw = (grad * xhat).sum(param_dims)
    if need_b:
        gb = grad.sum(param_dims)
    return gx, gw, gb


class NativeBatchNorm(Op):
    """y = (x - mean) / sqrt(var + eps) * w + b, one mean and variance per channel (dimension 1), over the batch and
    the positions; in eval mode the running statistics."""
    rule = ("y = (x - mean) / sqrt(var + eps) * w + b per channel.   dL/dx = (d - mean(d) - xhat mean(d xhat)) / "
            "sigma with d = g w; dL/dw = sum(g xhat), dL/db = sum(g).")
    node_name = "NativeBatchNormBackward0"
    saved_names = ("input", "weight")

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps):
        a = x._data
        dims = (0,) + tuple(range(2, a.ndim))
        shape = (1, -1) + (1,) * (a.ndim - 2)
        ctx.save_for_backward(x, w)
        ctx.eps, ctx.dims, ctx.shape = eps, dims, shape
        if training:
            mean = a.mean(dims, keepdims=True)
            centered = a - mean
            var = (centered * centered).mean(dims, keepdims=True)
            n = a.size // a.shape[1]
            with grad_mode.no_grad():  # the running statistics are state, not part of the graph
                if running_mean is not None:
                    running_mean._data *= 1 - momentum
                    running_mean._data += momentum * mean.reshape(-1).astype(running_mean._data.dtype)
                    running_mean._counter().bump()
                if running_var is not None:
                    running_var._data *= 1 - momentum
                    unbiased = var.reshape(-1) * (n / (n - 1))
                    running_var._data += momentum * unbiased.astype(running_var._data.dtype)
                    running_var._counter().bump()
            ctx.running = None
        else:
            mean = running_mean._data.reshape(shape).astype(a.dtype, copy=False)
            var = running_var._data.reshape(shape).astype(a.dtype, copy=False)
            centered = a - mean
            ctx.running = (T(mean), T(1 / np.sqrt(var + a.dtype.type(eps))))
        y = centered * (1 / np.sqrt(var + a.dtype.type(eps)))
        if w is not None:
            y *= w._data.reshape(shape)
        if b is not None:
            y += b._data.reshape(shape)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return _norm_backward(ctx, grad, x, w, ctx.dims, ctx.dims, ctx.shape, ctx.running)


@register("batch_norm", method=False)
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5,
               cudnn_enabled=True):
    """Batch normalization (``F.batch_norm``): see ``NativeBatchNorm``. In training the running statistics are
    updated in place: ``running = (1 - momentum) running + momentum batch`` (the variance unbiased, n / (n-1))."""
    if input.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")
    c = input.shape[1]
    if training:
        size = input.numel() // c if c else 0
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    no_complex(input._data, "batch_norm")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{input.dtype._legacy}'")
    _same_dtype(input, weight, bias, running_mean, running_var)
    return NativeBatchNorm.apply(input, weight, bias, running_mean=running_mean, running_var=running_var,
                                 training=bool(training), momentum=momentum, eps=eps)


class NativeLayerNorm(Op):
    """y = (x - mean) / sqrt(var + eps) * w + b, the mean and variance over the last dimensions of each sample."""
    rule = ("y = (x - mean) / sqrt(var + eps) * w + b over the last dims.   dL/dx = (d - mean(d) - xhat mean(d xhat)) / "
            "sigma with d = g w; dL/dw = sum(g xhat), dL/db = sum(g).")
    node_name = "NativeLayerNormBackward0"
    saved_names = ("input", "weight", "bias")

    @staticmethod
    def forward(ctx, x, w, b, normalized_ndim, eps):
        a = x._data
        dims = tuple(range(a.ndim - normalized_ndim, a.ndim))
        ctx.save_for_backward(x, w, b)
        ctx.eps, ctx.dims, ctx.lead = eps, dims, tuple(range(a.ndim - normalized_ndim))
        mean = a.mean(dims, keepdims=True)
        centered = a - mean
        var = (centered * centered).mean(dims, keepdims=True)
        y = centered * (1 / np.sqrt(var + a.dtype.type(eps)))
        if w is not None:
            y *= w._data
        if b is not None:
            y += b._data
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w, _ = ctx.saved_tensors
        return _norm_backward(ctx, grad, x, w, ctx.dims, ctx.lead, w.shape if w is not None else None, None)


@register("layer_norm", method=False)
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """Layer normalization (``F.layer_norm``) over the last ``len(normalized_shape)`` dimensions."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    no_complex(input._data, "LayerNormKernelImpl")
    _same_dtype(input, weight, bias)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"\"LayerNormKernelImpl\" not implemented for '{input.dtype._legacy}'")
    return NativeLayerNorm.apply(input, weight, bias, normalized_ndim=k, eps=eps)

