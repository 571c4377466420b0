"""The package's structure: layers point one way, no import cycle, no private NumPy name, viz on public accessors.

Every ``import`` statement of every module is read, at module level and inside functions alike (an import in
a function is still a dependency, only a later one). ``from . import x`` counts as importing the module ``x``
when there is one, else the package.

* the ground floor (``_dtypes``, ``_printing``, ``_random``, ``_stl_sort``, ``_errstate``, ``_shapes``,
  ``_convert``, ``_device``, ``_registered``) imports only itself;
* ``autograd/`` imports nothing of ``tensor``, ``ops`` or ``creation`` (nor the package root, which imports
  them all): it meets tensors only through the class that ``tensor.py`` registers;
* no two modules import each other, directly or around a circle (the ops attach their methods to ``Tensor``:
  ``tensor.py`` does not import them);
* no private NumPy name (``np._core...``): the next NumPy may move it;
* ``viz`` reads the graph through public, read-only accessors: no ``._name`` of another object, no private
  name imported.
"""
import ast
import re
from pathlib import Path

import pytest

import tutorgrad

PACKAGE = Path(__file__).resolve().parent.parent / "tutorgrad"
GROUND = {"tutorgrad._dtypes", "tutorgrad._printing", "tutorgrad._random", "tutorgrad._stl_sort", "tutorgrad._errstate",
          "tutorgrad._shapes", "tutorgrad._convert", "tutorgrad._device", "tutorgrad._registered"}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name):
    """The tutorgrad modules ``name`` imports, anywhere in the file: ``{module: line}``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES and "." in t:
                t = t.rpartition(".")[0]
            if t in MODULES and t != name:
                found.setdefault(t, node.lineno)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def test_the_reader_sees_the_imports():
    # The checks below must not pass vacuously: the reader finds what is there.
    assert "tutorgrad.tensor" in GRAPH["tutorgrad.ops.registry"]
    assert "tutorgrad._registered" in GRAPH["tutorgrad.autograd.function"]
    assert "tutorgrad.autograd.engine" in GRAPH["tutorgrad.viz.step"]
    assert len(MODULES) > 40 and {"tutorgrad.ops.arithmetic", "tutorgrad.autograd.engine"} <= set(MODULES)


@pytest.mark.parametrize("name", sorted(GROUND))
def test_the_ground_floor_imports_nothing_above_it(name):
    assert set(GRAPH[name]) <= GROUND, f"{name} imports {sorted(set(GRAPH[name]) - GROUND)}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("tutorgrad.autograd")))
def test_autograd_imports_nothing_of_tensor_ops_or_creation(name):
    above = {m: line for m, line in GRAPH[name].items()
             if m in ("tutorgrad", "tutorgrad.tensor", "tutorgrad.creation") or m.startswith("tutorgrad.ops")
             or m.startswith(("tutorgrad.nn", "tutorgrad.optim", "tutorgrad.viz"))}
    assert not above, f"{name} imports {above} (module: line)"


def test_no_import_cycle():
    cycles = [c for c in _strongly_connected(GRAPH) if len(c) > 1]
    assert not cycles, f"modules that import each other, directly or around a circle: {cycles}"


def _strongly_connected(graph):
    """Tarjan's algorithm, iterative."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        component.append(m)
                        if m == node:
                            break
                    out.append(sorted(component))
    return out


def test_the_cycle_finder_finds_cycles():
    assert [c for c in _strongly_connected({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) if len(c) > 1] == \
        [["a", "b", "c"]]


def test_no_private_numpy_name():
    private = re.compile(r"\b(np|numpy)\._[A-Za-z]|from\s+numpy\._|import\s+numpy\._")
    found = [f"{name}:{i}: {line.strip()}" for name, path in MODULES.items()
             for i, line in enumerate(path.read_text().splitlines(), 1) if private.search(line)]
    assert not found, found


# Names that look private but are protocols of other libraries: IPython's display hooks, and one ipywidgets
# attribute that training.py sets on purpose (see _live_while_busy there).
PROTOCOLS = re.compile(r"^_repr_\w+_$|^_reply_subshell_for$")


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("tutorgrad.viz")))
def test_viz_uses_only_public_accessors(name):
    tree = ast.parse(MODULES[name].read_text())
    private = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                and not PROTOCOLS.match(node.attr) \
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            private.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.ImportFrom):
            private += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name.startswith("_")]
    assert not private, f"{name} reads private fields or imports private names: {private}"


# Longer on purpose: _random.py is the PyTorch generator's own bit-exact algorithms; optim/lr_scheduler.py is
# PyTorch's torch.optim.lr_scheduler, one module that scripts import every schedule from and whose classes print
# and show their source under its name (fifteen short, independent classes: split into a package, each class
# would need its __module__ rewritten, and then inspect/`StepLR??` could no longer find its source).
LONG_ON_PURPOSE = ("tutorgrad._random", "tutorgrad.exercises", "tutorgrad.optim.lr_scheduler")


def test_no_file_is_long():
    # ~700 lines at most, except the files named above.
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > 700
            and name not in LONG_ON_PURPOSE}
    assert not long, long


def test_the_floors_below_find_the_tensor_class_and_factories_registered_from_above():
    from tutorgrad import _registered
    assert _registered.Tensor is tutorgrad.Tensor
    f = _registered.factories  # for autograd code that must build tensors at call time (autograd.functional)
    assert (f.tensor, f.zeros_like, f.stack, f.cat) == (tutorgrad.tensor, tutorgrad.zeros_like, tutorgrad.stack,
                                                        tutorgrad.cat)
