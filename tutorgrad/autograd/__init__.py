"""Automatic differentiation: ``backward``, ``grad``, custom ``Function``s and ``gradcheck``.

``tutorgrad.autograd`` mirrors ``torch.autograd``:

* ``function.py``  – ``Function`` (the mechanism every op is written with), its ``ctx`` and the
  graph's nodes (``grad_fn``, ``next_functions``, ``AccumulateGrad``);
* ``engine.py``    – the backward pass (``reference_backward`` is the whole idea in a few lines);
* ``api.py``       – ``backward`` and ``grad``, the API over the engine;
* ``graph.py``     – ``get_gradient_edge``: where a tensor's gradient arrives (its node);
* ``grad_mode.py`` – ``no_grad``, ``enable_grad``, ...; ``gradcheck.py`` – finite-difference checks;
* ``tracing.py``   – ``trace()``, which keeps every value and gradient on the nodes (for ``viz``);
* ``functional.py`` – ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp`` and ``vhp``
  (``tutorgrad.autograd.functional.jacobian(f, x)``), built on ``grad``.

This package sits below the tensor class and the ops: it imports nothing of ``tensor.py``,
``ops/`` or ``creation.py`` (``tests/test_structure.py`` checks it, imports inside functions
included). It meets tensors only as the objects it is given, and makes new ones with what the
floors above register in ``tutorgrad._registered``: the ``Tensor`` class, and ``factories``
(``tensor``, ``zeros``, ``ones``, ``zeros_like``, ``ones_like``, ``full``, ``eye``, ``stack``,
``cat``) for code here that builds tensors of its own, such as Jacobians.
"""
from . import function, grad_mode, graph  # noqa: F401
from .api import backward, grad  # noqa: F401
from .engine import run_backward, watch  # noqa: F401
from .function import AccumulateGrad, Function, FunctionCtx, once_differentiable, Node  # noqa: F401
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: F401
from .tracing import trace  # noqa: F401
from . import functional  # noqa: F401  (jacobian, hessian, vjp, jvp, hvp, vhp: built on grad)
