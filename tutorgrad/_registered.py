"""The tensor class (and a few factories) for the floors below ``tensor.py``, registered from above.

Layers point one way: the ground floor (``_dtypes``, ``_printing``, ``_random``, ``_stl_sort``,
``_errstate``, ``_shapes``, ``_convert``, ``_device``) and ``autograd/`` import nothing of ``tensor.py``, ``ops/`` or
``creation.py``, not even inside a function. Where they still have to recognise or make a tensor
(autograd wraps a gradient in one, ``_convert`` meets a tensor inside a nested list), they look
the class up here, when called. ``tensor.py`` registers it as it is imported, and
``tutorgrad/__init__.py`` registers the factories once everything is loaded; nothing below can
run before that (importing any part of tutorgrad runs ``tutorgrad/__init__.py`` first).

>>> from tutorgrad import _registered
>>> _registered.Tensor                          # doctest: +SKIP
<class 'tutorgrad.tensor.Tensor'>
>>> _registered.factories.zeros_like(x)         # e.g. in autograd.functional  # doctest: +SKIP
"""
import types

Tensor = None  # the Tensor class (set by register_tensor_class)

# Functions that make tensors (``tensor``, ``zeros``, ``zeros_like``, ``ones_like``, ``stack``, ``cat``, ...),
# for autograd code that must build new tensors at call time (e.g. ``autograd.functional``'s Jacobians).
factories = types.SimpleNamespace()


def register_tensor_class(cls):
    global Tensor
    Tensor = cls


def register_factories(**functions):
    vars(factories).update(functions)
