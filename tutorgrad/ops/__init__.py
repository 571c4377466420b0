"""Every built-in op: forward and backward side by side, written with the ``Function`` a student writes.

**Start here** — six ops written out in full, each with its math in the docstring:

* ``arithmetic.py``  ``Mul``     z = x * y: each input's gradient is the other input
* ``elementwise.py`` ``Exp``     y = e^x: backward reuses the saved output
* ``elementwise.py`` ``Relu``    y = max(x, 0): the gradient passes where y > 0
* ``reductions.py``  ``Sum``     one number from many: the gradient is spread back to all
* ``linalg.py``      ``Matmul``  Z = X @ Y: dX = G @ Y^T, dY = X^T @ G
* ``indexing.py``    ``Index``   y = x[key]: the gradient goes back where the values came from

The files, by area:

====================  ======================================================================
``arithmetic.py``     ``+ - * / // % **``, ``maximum``, ``minimum``, ``lerp``
``elementwise.py``    ``exp``, ``log``, ``sin``, ``tanh``, ``sigmoid``, ``relu``, ``erf``, ``clamp``, ``where``, ``to``,
                      ``leaky_relu``, ``gelu``, ``silu``, ``dropout``
``complex.py``        ``conj``, ``real``, ``imag``, ``angle``, ``view_as_real``, ``view_as_complex``, ``complex``, ``polar``
``comparison.py``     ``== < & ~``, ``isclose``, ``logical_and``, ``isnan`` (no gradient)
``reductions.py``     ``sum``, ``mean``, ``var``, ``prod``, ``max``, ``softmax``, ``cumsum``, ``sort``
``norms.py``          ``norm``, ``linalg.vector_norm``
``linalg.py``         ``@`` / ``matmul``, ``mm``, ``dot``, ``outer``, ``tril``, ``diagonal``, ``diag``, ``einsum``,
                      ``inv``, ``det``, ``solve``, ``svdvals``
``conv.py``           ``conv1d``, ``conv2d``, ``pad``, ``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``
``normalization.py``  ``batch_norm``, ``layer_norm``
``losses.py``         ``binary_cross_entropy`` (with logits), ``smooth_l1_loss``, ``huber_loss``
``shape.py``          ``view``, ``reshape``, ``transpose``, ``permute``, ``expand``, ``cat``, ``stack``, ``split``
``indexing.py``       ``x[key]``, ``x[key] = v``, ``gather``, ``index_select``, ``narrow``, ``scatter``, ``scatter_add``,
                      ``index_add``, ``embedding``, ``one_hot``
``inplace.py``        in-place ops and views: versions, ``x.add_(y)``, ``zero_``, ``fill_``, ``copy_``
``registry.py``       ``Op``, ``register`` (one registration: ``Tensor.x``, ``Tensor.x_``, ``tutorgrad.x``)
====================  ======================================================================

Where the derivative is a formula, the op is *data*: one row of a table (``unary`` in
``elementwise.py``, ``binary`` in ``arithmetic.py``) holds the NumPy forward, the derivative,
the one-line rule the drawings show and the node's name, and registers the methods. Adding such
an op is one row. Conventions of every op (as for a ``Function`` you write yourself):

* ``forward(ctx, *tensors, **options)`` computes with NumPy on ``x._data`` and may return an
  ndarray; ``Function.apply`` wraps it in a Tensor and links the graph;
* ``backward(ctx, grad)`` returns one gradient per tensor input, computed with tensor ops, so it
  can itself be differentiated (``create_graph=True``);
* a backward may return a gradient of the broadcast shape: the engine sums it down, once, for
  every op;
* the node is named as in PyTorch: ``Mul`` makes ``MulBackward0`` (``node_name`` where not);
* complex numbers need nothing: with a complex result the node runs the (real) backward conjugated,
  g * conj(f'(z)), PyTorch's convention for a holomorphic op; an op that is not holomorphic (abs, conj,
  ...) says ``holomorphic = False`` and writes the complex formula itself (``complex.py``).
"""
from . import registry, inplace, elementwise, arithmetic, comparison, indexing, reductions, linalg, shape  # noqa: F401
from . import conv, normalization, losses, norms, complex  # noqa: F401
from .registry import Op, functions, promote, register  # noqa: F401
