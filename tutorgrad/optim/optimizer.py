"""``Optimizer``: the base class that keeps parameter groups and per-parameter state.

An optimizer holds ``param_groups`` (lists of parameters, each list with its own
hyper-parameters such as ``lr``) and ``state`` (per parameter, e.g. a momentum
buffer). ``step()`` reads each parameter's ``.grad`` and changes the parameter in
place, outside the graph (``no_grad``); ``zero_grad()`` clears the gradients for
the next round. A training step is always the same four lines::

    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
"""
import warnings
from collections import defaultdict
from copy import deepcopy

from ..tensor import Tensor, _legacy_type_name
from ..autograd.grad_mode import enable_grad
from ..nn.parameter import zero_grads


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

# Flags that choose between PyTorch's implementations of the same update (for-loop, "foreach",
# "fused", CUDA-graph "capturable"); tutorgrad has one implementation, so they change nothing.
_SAME_RESULT_FLAGS = ("foreach", "fused", "capturable")


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``; subclasses implement ``step``."""

    def __init__(self, params, defaults):
        if defaults.get("differentiable"):
            raise NotImplementedError("tutorgrad's optimizers always update parameters outside the graph; "
                                      "differentiable=True is not supported")
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_legacy_type_name(params)}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters, with hyper-parameters that override the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                kind = type(p).__qualname__
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{kind if type(p).__module__ == 'builtins' else type(p).__module__ + '.' + kind}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter "
                                 f"{name}")
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's ``.grad``: set it to ``None`` (default) or fill it with zeros."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        raise NotImplementedError

    @staticmethod
    def _evaluate(closure):
        """Re-evaluate the model with ``closure()`` if given (some optimizers need the loss)."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self, group):
        # (p._grad: the .grad property's only extra is a warning for non-leaf tensors, and parameters are leaves)
        return [p for p in group["params"] if p._grad is not None]

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are named by their position across the groups (0, 1, 2, ...), as in
        PyTorch, so the dict can be saved with ``tutorgrad.save``.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by ``state_dict()`` (for the same parameters)."""
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        by_index = {i: p for g, s in zip(self.param_groups, saved_groups) for i, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for i, saved in state_dict["state"].items():
            if i in by_index:
                p = by_index[i]
                self.state[p] = {k: self._cast(p, k, v) for k, v in saved.items()}
        self.param_groups = [{**s, "params": g["params"]} for g, s in zip(self.param_groups, saved_groups)]

    @staticmethod
    def _cast(param, key, value):
        # buffers follow the parameter's dtype; the step counter stays as saved
        if not isinstance(value, Tensor):
            return deepcopy(value)
        if key != "step" and param.is_floating_point() and value.is_floating_point():
            return value.detach().to(param.dtype).clone()
        return value.detach().clone()

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"
