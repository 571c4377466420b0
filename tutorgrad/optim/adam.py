"""``Adam`` (and ``AdamW``): steps scaled per parameter by running averages of the gradient."""
import numpy as np

from .. import creation
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer
from .rmsprop import _real


class Adam(Optimizer):
    """Adam, PyTorch's update rule (with bias correction). For each parameter p with gradient g:

    ``m <- beta1 m + (1 - beta1) g``,  ``v <- beta2 v + (1 - beta2) g^2``   (running averages)
    ``p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``

    The bias corrections undo the pull of the zero start of ``m`` and ``v`` in the first
    steps. ``amsgrad`` uses the largest ``v`` seen so far; ``weight_decay`` adds
    ``weight_decay * p`` to g (or, with ``decoupled_weight_decay``, shrinks p directly: AdamW).

    >>> opt = tutorgrad.optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = creation.tensor(0.0)
                    state["exp_avg"] = creation.zeros_like(p)
                    state["exp_avg_sq"] = creation.zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = creation.zeros_like(p)
                t = state["step"].item() + 1
                state["step"] = creation.tensor(float(t))  # a tensor, as in PyTorch's state
                if wd != 0 and group["decoupled_weight_decay"]:
                    p.mul_(1 - lr * wd)
                # The running averages are plain arithmetic on values, outside any graph: NumPy on the
                # tensors' memory does it in place (PyTorch does it in C++).
                # (a complex parameter is updated as pairs of reals, PyTorch's view_as_real: |g|^2 per part)
                g = _real(p.grad.numpy())
                g = -g if group["maximize"] else g
                if wd != 0 and not group["decoupled_weight_decay"]:
                    g = g + wd * _real(p.detach().numpy())
                m, v = _real(state["exp_avg"].numpy()), _real(state["exp_avg_sq"].numpy())
                m += (g - m) * (1 - beta1)               # PyTorch: m.lerp_(g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * g * g                 # PyTorch: v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                if group["amsgrad"]:
                    top = _real(state["max_exp_avg_sq"].numpy())
                    v = np.maximum(top, v, out=top)
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(v) / (1 - beta2 ** t) ** 0.5 + eps
                step = -step_size * m / denom
                p.add_(creation.from_numpy(step.view(p._data.dtype)))  # PyTorch: p.addcdiv_(m, denom, value=-step_size)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: p <- p (1 - lr * weight_decay) before the Adam step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
