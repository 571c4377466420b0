"""Devices: ``tutorgrad.device`` and the checks behind ``device=`` and ``.to(...)``.

tutorgrad computes with NumPy, on the CPU. It answers every device question the way a
PyTorch *built without CUDA* does on a laptop: ``torch.device("cuda")`` is a fine object
to hold (a device is only a name), but *using* it -- ``.to("cuda")``, ``.cuda()``,
``zeros(2, device="cuda")`` -- raises PyTorch's ``AssertionError: Torch not compiled with
CUDA enabled``. So the line every tutorial starts with picks the CPU here::

    device = "cuda" if torch.cuda.is_available() else "cpu"    # -> "cpu"

Errors carry PyTorch's message first, then what to do in tutorgrad.
"""
import re

# c10/core/DeviceType.cpp: the device types a device string may start with, in PyTorch's order
_TYPES = ("cpu cuda ipu xpu mkldnn opengl opencl ideep hip ve fpga maia xla lazy vulkan mps meta hpu mtia "
          "privateuseone").split()
_PATTERN = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?")
_NO_ACCELERATOR = "Cannot access accelerator device when none is available."
_CPU_ONLY = ("tutorgrad runs on the CPU only, so device '{}' is not available. Leave out .to('cuda') / .cuda(), "
             "or use device='cpu'.")


def _bad_arguments(value):
    return TypeError(f"device() received an invalid combination of arguments - got ({type(value).__name__}), but "
                     "expected one of:\n * (tutorgrad.device device)\n * (str type, int index = -1)\n")


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:0')``.

    Any device PyTorch knows can be *named*; tutorgrad's tensors all live on the CPU, so
    using another device raises what a CPU-only PyTorch raises.

    >>> tutorgrad.device("cuda:1")
    device(type='cuda', index=1)
    >>> tutorgrad.ones(2).device
    device(type='cpu')
    """

    __slots__ = ("_type", "_index", "_previous")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise _bad_arguments(type)
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(_NO_ACCELERATOR + " (A bare number names a GPU; tutorgrad has none: use 'cpu'.)")
        if not isinstance(type, str):
            raise _bad_arguments(type)
        match = _PATTERN.fullmatch(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: '{type}'. tutorgrad runs on the CPU only: use 'cpu'. (To "
                               "change the dtype, pass a dtype such as tutorgrad.float32, not a string.)")
        name, number = match.groups()
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}")
        if index is not None:
            if number is not None:
                raise RuntimeError("type (string) must not include an index because index was passed explicitly: "
                                   f"{type}")
            if not isinstance(index, int) or isinstance(index, bool):
                raise _bad_arguments(index)
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            number = index
        self._type = name
        self._index = None if number is None else int(number)

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other):
        # as in PyTorch, a device equals only a device: device('cpu') == 'cpu' is False
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash((self._type, self._index))

    # ``with tutorgrad.device('cpu'): ...`` makes it the default device inside the block, as in PyTorch
    def __enter__(self):
        self._previous = _default
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        global _default
        _default = self._previous
        return False


CPU = device("cpu")
_default = None  # None: the CPU (set_default_device(None) goes back to it)


def _not_compiled(type_name):
    backend = {"cuda": "CUDA", "xpu": "XPU"}[type_name]
    return AssertionError(f"Torch not compiled with {backend} enabled: " + _CPU_ONLY.format(type_name))


def check(dev, *, factory=False):
    """Raise what a CPU-only PyTorch raises for putting a tensor on ``dev`` (``None``: the default device).

    ``factory=True`` is for creating a tensor there (``zeros(2, device=...)``), which fails
    differently from moving one there (``.to(...)``) for backends PyTorch knows but lacks.
    """
    if dev is None:
        if _default is None:
            return
        dev = _default
    if isinstance(dev, int) and not isinstance(dev, bool):
        raise RuntimeError(_NO_ACCELERATOR + " (A bare number names a GPU; tutorgrad has none: use 'cpu'.)")
    dev = dev if isinstance(dev, device) else device(dev)
    if dev._type == "cpu":
        return
    if dev._type in ("cuda", "xpu"):
        raise _not_compiled(dev._type)
    if dev._type == "meta":
        raise NotImplementedError("tutorgrad has no 'meta' tensors (shapes without data): every tensor holds its "
                                  "numbers on the CPU. Use device='cpu'.")
    if factory and dev._type == "mps":
        raise NotImplementedError("Could not run 'aten::empty.memory_format' with arguments from the 'MPS' backend. "
                                  + _CPU_ONLY.format(dev._type))
    raise RuntimeError(f"PyTorch is not linked with support for {dev._type} devices: " + _CPU_ONLY.format(dev._type))


def no_cuda(name="cuda"):
    """``.cuda()`` on a CPU-only build."""
    raise _not_compiled("cuda") if name == "cuda" else _not_compiled(name)


def set_default_device(device_):
    """Make ``device_`` the device factories such as ``zeros`` use when given none (``None``: back to the CPU).

    As in PyTorch, any device name is accepted here; a non-CPU one makes the next factory call raise.

    >>> tutorgrad.set_default_device("cpu"); tutorgrad.get_default_device()
    device(type='cpu')
    """
    global _default
    _default = None if device_ is None else device(device_)


def get_default_device():
    """The device factories use when given none: ``device(type='cpu')`` unless changed."""
    if _default is None:
        return CPU
    check(_default)
    return _default
