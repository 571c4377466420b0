"""Saved tensors: what a node keeps for its backward, the hooks that pack and unpack it, and their names.

A node keeps what ``ctx.save_for_backward`` saved: for ``y = a * b``, ``y.grad_fn`` keeps ``a`` and ``b``
(dy/da = b, dy/db = a). As in PyTorch they can be read, for a look inside, as ``y.grad_fn._saved_self``
and ``y.grad_fn._saved_other``; a saved output is ``_saved_result`` (``exp`` keeps its result: d e^x = e^x).
The names are derived, not written per op: an op's inputs are ``self``, ``other`` (``Op.input_names``
where PyTorch names them otherwise, e.g. ``mat2``), its output ``result``; a number the op kept on ``ctx``
(``pow``'s exponent) reads as ``_saved_<its name>``.

``saved_tensors_hooks(pack_hook, unpack_hook)`` changes how they are kept: ``pack_hook(tensor)`` runs when
an op saves a tensor (its result is stored instead), ``unpack_hook(packed)`` whenever the tensor is needed
(each backward, each ``_saved_*`` read)::

    >>> with saved_tensors_hooks(lambda t: t * 4, lambda t: t / 4):
    ...     y = x.pow(2)          # x is kept as x * 4 ...
    >>> y.sum().backward()        # ... and read back as (x * 4) / 4: x.grad is still 2x
"""
import contextlib

from .. import _registered

_state = {"hooks": [], "disabled": None}  # the stack of (pack, unpack) pairs; the message when disabled
active = _state["hooks"]  # the same list, always (Function.apply tests it for every op: one global read)


class saved_tensors_hooks:
    """Context manager: tensors saved for backward inside it go through ``pack_hook``, and come back through
    ``unpack_hook`` (see the module's docstring). Nested ones: the innermost applies."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _state["disabled"] is not None:
            raise RuntimeError(_state["disabled"])
        _state["hooks"].append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _state["hooks"].pop()


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors on the CPU (PyTorch moves GPU tensors there and back; on a CPU-only build, as here,
    they stay where they are; ``pin_memory=True`` keeps a copy, as PyTorch)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            if not pin_memory:
                return tensor.device, tensor.cpu()
            return tensor.device, tensor.detach().clone()

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)
        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """Inside it, entering ``saved_tensors_hooks`` raises ``RuntimeError(error_message)`` (for code that
    cannot work with them)."""
    before = _state["disabled"]
    if _state["hooks"]:
        raise RuntimeError(error_message)
    _state["disabled"] = error_message
    try:
        yield
    finally:
        _state["disabled"] = before


class SavedTensor:
    """One tensor a node saved, as ``grad_fn._raw_saved_<name>`` shows it: ``register_hooks(pack, unpack)``
    packs it now and unpacks it whenever backward (or ``_saved_<name>``) needs it."""

    def __init__(self, node, index):
        self._node, self._index = node, index

    def register_hooks(self, pack_hook, unpack_hook):
        node = self._node
        if node._freed:
            raise RuntimeError("Trying to backward through the graph a second time (or directly access saved "
                               "tensors after they have already been freed).")
        packed = getattr(node, "_packed", None)
        if packed is not None and packed[self._index] is not None:
            raise RuntimeError("Calling register_hooks on a saved tensor whose hooks have already been set. "
                               "Hint: only one pair of hooks is allowed at a time.")
        if not (callable(pack_hook) and callable(unpack_hook)):
            raise TypeError("Expected pack_hook and unpack_hook to be callable")
        if not _pytorch_keeps(node, self._index):
            raise RuntimeError("Calling register_hooks on a saved tensor with value None is forbidden")
        tensor = node._saved[self._index]
        if packed is None:
            packed = node._packed = [None] * len(node._saved)
        # PyTorch hands the pack hook the data alone, and gives the unpacked tensor the original's autograd side
        restore = tensor if tensor.requires_grad else None
        packed[self._index] = (pack_hook(tensor.detach()), unpack_hook, restore)
        node._saved = tuple(None if i == self._index else t for i, t in enumerate(node._saved))

    def __repr__(self):
        return f"<tutorgrad._C._autograd.SavedTensor object at {id(self):#x}>"


def pack(node):
    """Run the active pack hook on what ``node`` saved (called once its outputs are linked, so that a saved
    output is packed with its ``grad_fn``, as PyTorch shows it)."""
    roles(node)  # (worked out now: packing replaces the saved tensors)
    hooks = list(active)
    pack_hook, unpack_hook = hooks[-1]
    active.clear()  # what the pack hook computes saves its own tensors the ordinary way (no recursion)
    packed = [None] * len(node._saved)
    try:
        for i in _order(node):
            t = node._saved[i]
            if t is not None:
                packed[i] = (pack_hook(_shown(node, t)), unpack_hook)
    finally:
        active[:] = hooks
    node._packed = packed
    node._saved = (None,) * len(node._saved)  # the graph keeps what pack_hook returned, not the tensors


def unpack(node):
    """What ``node`` saved, each tensor through its unpack hook where it was packed."""
    packed, out = node._packed, list(node._saved)
    for i in _order(node):
        if packed[i] is not None:
            out[i] = _unpacked(packed[i])
    return tuple(out)


def _order(node):
    """The order PyTorch packs (and unpacks) in: an op that saves both its inputs (x * y, x / y, x @ y) needs
    each for the other's gradient, and PyTorch's formula for ``self`` reads ``other`` first."""
    n = len(node._saved)
    return (1, 0) if n == 2 and roles(node) == (0, 1) else tuple(range(n))


def _unpacked(p):
    value, unpack_hook, *restore = p
    t = unpack_hook(value)
    if not isinstance(t, _registered.Tensor):
        raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                        f"{type(t).__name__}")
    if restore and restore[0] is not None and not t.requires_grad:
        original = restore[0]
        t = _registered.Tensor._wrap(t._data)
        t._grad_fn, t._output_nr, t._requires_grad = original._grad_fn, original._output_nr, True
    return t


def _shown(node, t):
    """A saved output as PyTorch hands it out: the same memory and ``grad_fn``, another tensor object."""
    if t._grad_fn is node:
        alias = _registered.Tensor._wrap(t._data)
        alias._vc = t._counter()
        alias._grad_fn, alias._output_nr, alias._requires_grad = t._grad_fn, t._output_nr, t._requires_grad
        return alias
    return t


def roles(node):
    """Which input (``0``, ``1``, ...) or output (``"r0"``, ...) each saved tensor is (None: neither).

    Read off the graph when first asked (nothing is noted while forward runs): a saved output has this
    node as its ``grad_fn``; a saved input that requires grad has the edge ``next_functions`` holds for
    that input; one that does not takes an input slot whose edge is empty. Kept on the node
    (``_save_roles``). For built-in ops only: PyTorch names the saved values of its own nodes only.
    """
    found = vars(node).get("_save_roles")
    if found is not None or not node._forward_cls._builtin:
        return found or ()
    edges = node.next_functions
    flags = node._is_input  # which forward arguments are graph inputs (None: all)
    position = [p for p, f in enumerate(flags) if f] if flags is not None else list(range(len(edges)))
    found = []
    for k, t in enumerate(node._saved):
        role = None
        if t is None:
            if k < len(position):  # an input left unsaved (x * w with only w requiring grad keeps x alone): its slot
                role = position[k]
        else:
            if t._grad_fn is node:
                role = f"r{t._output_nr}"
            else:
                edge = t._edge() if t._requires_grad else (None, 0)
                slots = [i for i, e in enumerate(edges) if e[0] is edge[0] and e[1] == edge[1]]
                if slots:
                    i = next((i for i in slots if position[i] == k), slots[0])  # (x * x: self, then other)
                    role = position[i]
        found.append(role)
    node._save_roles = found = tuple(found)
    return found


# The numbers, flags and shapes ops keep on ctx, by PyTorch's names (see _kept_values)
KEPT = ("dim", "keepdim", "exponent", "self_sym_sizes", "alpha", "p", "eps", "momentum", "negative_slope")


def name_saved_values(node_cls, input_names):
    """Give the node class PyTorch's ``_saved_<name>`` / ``_raw_saved_<name>`` properties for an op's inputs
    (``input_names``), ``result`` and the values ops keep on ctx (``KEPT``); a node without such a value
    raises AttributeError. Properties on the one base class, added as new names appear: not a
    ``__getattr__`` (it would slow every attribute read of every node), nor properties on each op's
    node class (changing many classes after creation costs the engine's attribute reads too)."""
    for name in (*input_names, "result", *KEPT):
        for attr in (f"_saved_{name}", f"_raw_saved_{name}"):
            if attr not in vars(node_cls) and not (attr.startswith("_raw") and name in KEPT):
                setattr(node_cls, attr, property(lambda self, _a=attr: saved_attribute(self, _a)))


def saved_attribute(node, attr):
    """``node._saved_<name>`` / ``node._raw_saved_<name>`` (see the module's docstring); AttributeError if none."""
    raw = attr.startswith("_raw_saved_")
    name = attr[len("_raw_saved_"):] if raw else attr[len("_saved_"):]
    index = _saved_index(node, name)
    if index is None:
        kept = _kept_values(node)
        if not raw and name in kept:  # a value the op kept on ctx: pow's exponent, softmax's dim
            return kept[name]
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{attr}'")
    if node._freed:
        raise RuntimeError("Trying to backward through the graph a second time (or directly access saved "
                           "tensors after they have already been freed). Saved intermediate values of the graph "
                           "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
                           "you need to backward through the graph a second time or if you need to access saved "
                           "tensors after calling backward.")
    if raw:
        return SavedTensor(node, index)
    if not _pytorch_keeps(node, index):
        return None
    packed = getattr(node, "_packed", None)
    if packed is not None and packed[index] is not None:
        return _unpacked(packed[index])
    return _shown(node, node._saved[index])


def _pytorch_keeps(node, index):
    """Whether PyTorch's node holds saved value ``index``: not where nothing was saved, nor where an op that
    saves both inputs keeps one only for the other input's gradient and that gradient is not wanted (x / 2)."""
    packed = getattr(node, "_packed", None)
    if node._saved[index] is None and (packed is None or packed[index] is None):
        return False  # (a packed value's slot in _saved is None too)
    return not (_order(node) == (1, 0) and not node.needs_input_grad[1 - index])


def saved_names(node):
    """The ``_saved_<name>`` names of what ``node`` saved (for ``dir(grad_fn)``)."""
    names = [f"_saved_{name}" for name in _kept_values(node)]
    for role in roles(node):
        name = _name(node, role)
        if name is not None:
            names += [f"_saved_{name}", f"_raw_saved_{name}"]
    return names


# What an op keeps on ctx, under PyTorch's name where it differs (the input's shape: self_sym_sizes)
_KEPT_NAMES = {"shape": "self_sym_sizes"}


def _kept_values(node):
    """The numbers, flags, dims and shapes an op kept on ``ctx`` (its public attributes), by PyTorch's names."""
    return {_KEPT_NAMES.get(k, k): (tuple(v) if k == "shape" else v) for k, v in vars(node).items()
            if not k.startswith("_") and v is not None and isinstance(v, (bool, int, float, tuple))}


def _name(node, role):
    if role is None:
        return None
    if isinstance(role, str):
        return "result" if role == "r0" else f"result{role[1:]}"
    names = getattr(node._forward_cls, "input_names", ())
    return names[role] if role < len(names) else None


def _saved_index(node, name):
    for i, role in enumerate(roles(node)):
        if _name(node, role) == name:
            return i
    return None
