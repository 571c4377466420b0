"""``Adagrad``: each weight's steps shrink with the sum of its squared gradients so far."""
import numpy as np

from .. import creation
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer
from .rmsprop import _real


class Adagrad(Optimizer):
    """Adagrad, PyTorch's update rule. For each parameter p with gradient g, at step t:

    ``s <- s + g^2``   (all squared gradients so far; starts at ``initial_accumulator_value``)
    ``p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)``

    Weights that often get large gradients slow down; rarely-updated ones keep larger steps.
    ``weight_decay`` adds ``weight_decay * p`` to g. The state exists from the start (as in PyTorch).

    >>> opt = tutorgrad.optim.Adagrad(model.parameters(), lr=0.1)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        if fused:
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = creation.tensor(0.0)
                init = initial_accumulator_value
                state["sum"] = creation.full_like(p, complex(init, init) if p.is_complex() else init)

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, wd = group["lr"], group["lr_decay"], group["eps"], group["weight_decay"]
            for p in self._params_with_grad(group):
                state = self.state[p]
                state["step"] = creation.tensor(state["step"].item() + 1)
                step = state["step"].item()
                g = _real(p.grad.numpy())
                g = -g if group["maximize"] else g
                if wd != 0:
                    g = g + wd * _real(p.detach().numpy())          # grad.add(p, alpha=weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = _real(state["sum"].numpy())
                s += 1 * g * g                                       # sum.addcmul_(g, g, value=1)
                std = np.sqrt(s)
                std += eps                                           # sum.sqrt().add_(eps)
                update = -clr * g / std                              # p.addcdiv_(g, std, value=-clr)
                p.add_(creation.from_numpy(update.view(p.grad.numpy().dtype)))
        return loss
