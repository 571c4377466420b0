"""``RMSprop``: steps divided by a running root-mean-square of the gradient."""
import numpy as np

from .. import creation
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer


def _real(a):
    """A complex array seen as pairs of reals (PyTorch's ``view_as_real``): the update treats them as reals."""
    return a.view(a.real.dtype) if np.iscomplexobj(a) else a


class RMSprop(Optimizer):
    """RMSprop, PyTorch's update rule. For each parameter p with gradient g:

    ``v <- alpha v + (1 - alpha) g^2``   (running mean of the squared gradient)
    ``p <- p - lr * g / (sqrt(v) + eps)``

    so each weight's step is scaled by how large its gradients have recently been.
    ``centered`` subtracts the squared running mean of g inside the root (a variance);
    ``momentum`` keeps ``buf <- momentum buf + g / (sqrt(v) + eps)`` and steps by ``lr * buf``;
    ``weight_decay`` adds ``weight_decay * p`` to g.

    >>> opt = tutorgrad.optim.RMSprop(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps, wd, momentum = (group[k] for k in ("lr", "alpha", "eps", "weight_decay", "momentum"))
            for p in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = creation.tensor(0.0)
                    state["square_avg"] = creation.zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = creation.zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = creation.zeros_like(p)
                state["step"] = creation.tensor(state["step"].item() + 1)
                # Plain arithmetic on values, outside any graph, in PyTorch's order of operations
                # (each line one of its in-place kernels), on the state tensors' memory.
                g = _real(p.grad.numpy())
                g = -g if group["maximize"] else g
                if wd != 0:
                    g = g + wd * _real(p.detach().numpy())          # grad.add(p, alpha=weight_decay)
                v = _real(state["square_avg"].numpy())
                v *= alpha
                v += (1 - alpha) * g * g                             # square_avg.mul_(alpha).addcmul_(g, g, 1 - alpha)
                if group["centered"]:
                    m = _real(state["grad_avg"].numpy())
                    m += (g - m) * (1 - alpha)                       # grad_avg.lerp_(g, 1 - alpha)
                    avg = np.sqrt(v + -1 * m * m)                    # square_avg.addcmul(m, m, value=-1).sqrt_()
                else:
                    avg = np.sqrt(v)
                avg += eps
                if momentum > 0:
                    buf = _real(state["momentum_buffer"].numpy())
                    buf *= momentum
                    buf += g / avg                                   # buf.mul_(momentum).addcdiv_(g, avg)
                    update = -lr * buf                               # p.add_(buf, alpha=-lr)
                else:
                    update = -lr * g / avg                           # p.addcdiv_(g, avg, value=-lr)
                p.add_(creation.from_numpy(update.view(p.grad.numpy().dtype)))
        return loss
