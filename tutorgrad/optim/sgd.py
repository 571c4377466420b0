"""``SGD``: stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""
from .. import _errstate
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer


class SGD(Optimizer):
    """p <- p - lr * g, where g is the gradient (plus ``weight_decay * p``), smoothed by momentum.

    With momentum the step follows a running sum of gradients, PyTorch's rule:
    ``buf <- momentum * buf + (1 - dampening) * g`` (``buf = g`` at the first step),
    then ``p <- p - lr * buf`` (Nesterov: ``p <- p - lr * (g + momentum * buf)``).

    >>> opt = tutorgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._evaluate(closure)
        quiet = _errstate.quiet()  # once for the whole step (overflow gives inf, without a warning, as in every op)
        try:
            for group in self.param_groups:
                self._update(group)
        finally:
            _errstate.restore(quiet)
        return loss

    def _update(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        maximize, weight_decay, nesterov = group["maximize"], group["weight_decay"], group["nesterov"]
        for p in self._params_with_grad(group):
            g = -p._grad if maximize else p._grad
            if weight_decay != 0:
                g = g.add(p, alpha=weight_decay)  # the gradient of (wd / 2) * p^2
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.clone()
                else:
                    buf.mul_(momentum).add_(g, alpha=1 - dampening)
                g = g.add(buf, alpha=momentum) if nesterov else buf
            p.add_(g, alpha=-lr)

