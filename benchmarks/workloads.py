"""The workloads that ``run.py`` times, written once per library.

Every ``make_*`` function builds its data and returns a zero-argument callable that
does one unit of work (one training step, one forward+backward pass). The MLP step
makers also return a function giving the current weights as NumPy arrays, so the
smoke test can check that all implementations compute the same update.

``lib`` is ``tutorgrad`` or ``torch``: the same code runs on both.
"""
import sys

import numpy as np

MLP_SIZES = (64, 256, 256, 10)
BATCH = 128
LR = 0.01


def mlp_data(batch=BATCH, sizes=MLP_SIZES, seed=0):
    """Inputs (float32), class labels and initial weights [W1, b1, W2, b2, ...] (W is (out, in), like nn.Linear)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return x, y, weights


# ---------------------------------------------------------------------------- MLP SGD step
def make_mlp_torchlike(lib, x, y, weights, lr=LR):
    """tutorgrad or PyTorch: nn.Sequential + cross_entropy + optim.SGD, the code a student writes."""
    layers = []
    for i in range(0, len(weights), 2):
        layers.append(lib.nn.Linear(weights[i].shape[1], weights[i].shape[0]))
        if i < len(weights) - 2:
            layers.append(lib.nn.ReLU())
    model = lib.nn.Sequential(*layers)
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.tensor(w))
    opt = lib.optim.SGD(model.parameters(), lr=lr)
    loss_fn = lib.nn.CrossEntropyLoss()
    xt, yt = lib.tensor(x), lib.tensor(y)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()
    return step, lambda: [p.detach().numpy().copy() for p in model.parameters()]


def make_mlp_numpy(x, y, weights, lr=LR):
    """The same step written by hand in NumPy: forward, backward by the chain rule, update."""
    params = [w.copy() for w in weights]
    rows = np.arange(len(x))

    def step():
        hs = [x]                                     # the input of every layer
        for i in range(0, len(params), 2):
            z = hs[-1] @ params[i].T + params[i + 1]
            hs.append(np.maximum(z, 0) if i < len(params) - 2 else z)
        logits = hs.pop()
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean()
        g = np.exp(logp)                             # dL/dlogits = (softmax - onehot) / N
        g[rows, y] -= 1
        g /= len(x)
        for i in reversed(range(0, len(params), 2)):
            h = hs[i // 2]
            dw, db = g.T @ h, g.sum(axis=0)
            if i > 0:
                g = (g @ params[i]) * (h > 0)        # through the layer, then through ReLU
            params[i] -= lr * dw
            params[i + 1] -= lr * db
        return float(loss)
    return step, lambda: [p.copy() for p in params]


def make_mlp_mygrad(x, y, weights, lr=LR):
    """MyGrad: its tensors, relu and softmax_crossentropy; update the arrays by hand."""
    import mygrad as mg
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy
    params = [mg.tensor(w.copy()) for w in weights]

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = mg.matmul(h, params[i].T) + params[i + 1]
            if i < len(params) - 2:
                h = relu(h)
        loss = softmax_crossentropy(h, y)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss.item()
    return step, lambda: [p.data.copy() for p in params]


# ---------------------------------------------------------------------------- scalar op chain
CHAIN = 200  # pairs of (mul, add): 400 ops; micrograd's recursive backward stays below the recursion limit


def make_scalar_chain_torchlike(lib, n=CHAIN):
    """0-d tensors: y = (...((x * a) + b) * a + b ...), then backward; returns dy/dx."""
    x = lib.tensor(0.5, requires_grad=True)
    a, b = lib.tensor(0.999), lib.tensor(0.001)

    def run():
        x.grad = None
        y = x
        for _ in range(n):
            y = y * a + b
        y.backward()
        return x.grad.item()
    return run


def make_scalar_chain_micrograd(n=CHAIN):
    from micrograd.engine import Value
    x, a, b = Value(0.5), Value(0.999), Value(0.001)

    def run():
        x.grad = 0
        y = x
        for _ in range(n):
            y = y * a + b
        y.backward()
        return x.grad
    return run


def make_scalar_chain_mygrad(n=CHAIN):
    import mygrad as mg
    x, a, b = mg.tensor(0.5), mg.tensor(0.999, constant=True), mg.tensor(0.001, constant=True)

    def run():
        y = x
        for _ in range(n):
            y = y * a + b
        y.backward()
        return float(x.grad)
    return run


# ---------------------------------------------------------------------------- one loss over many elements
LOSS_N = 1000


def loss_data(n=LOSS_N, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, 3 * x + 0.5 + 0.1 * rng.standard_normal(n)


def make_loss_torchlike(lib, n=LOSS_N):
    """Mean squared error of a line w*x + b over n points, vectorised; returns (dL/dw, dL/db)."""
    xs, ys = loss_data(n)
    x, y = lib.tensor(xs), lib.tensor(ys)
    w = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
    b = lib.tensor(0.0, dtype=lib.float64, requires_grad=True)

    def run():
        w.grad = b.grad = None
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        return w.grad.item(), b.grad.item()
    return run


def make_loss_micrograd(n=LOSS_N):
    """The same loss, one scalar Value per element (how micrograd has to do it)."""
    from micrograd.engine import Value
    xs, ys = loss_data(n)
    xs, ys = xs.tolist(), ys.tolist()
    w, b = Value(1.0), Value(0.0)

    def run():
        w.grad = b.grad = 0
        loss = sum((w * xi + b - yi) ** 2 for xi, yi in zip(xs, ys)) * (1 / n)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 8 * n))  # micrograd's topological sort recurses once per node
        try:
            loss.backward()
        finally:
            sys.setrecursionlimit(limit)
        return w.grad, b.grad
    return run


# ---------------------------------------------------------------------------- long chains
def make_long_chain_torchlike(lib, n):
    """Build an n-op chain of 0-d ops; the returned callable runs backward through it.

    Returns ``(build, backward)``: call ``build()`` (not timed) before each ``backward()``.
    """
    x = lib.tensor(1.0, requires_grad=True)
    state = {}

    def build():
        y = x
        for i in range(n):
            y = y * 1.0001 if i % 2 else y + 0.5
        x.grad = None
        state["y"] = y

    def backward():
        state.pop("y").backward()
        return x.grad.item()
    return build, backward


# ---------------------------------------------------------------------------- LeNet (the 60-minute blitz's)
LENET_BATCH = 64


def lenet_data(batch=LENET_BATCH, seed=0):
    """A batch of 1x32x32 images (float32) and class labels, from NumPy (the same for every library)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, 1, 32, 32)).astype(np.float32), rng.integers(0, 10, batch)


def lenet(lib):
    """The blitz's LeNet (neural_networks_tutorial.py) as written there, for ``lib`` (tutorgrad or torch)."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = lib.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            return self.fc3(f6)

    return Net()


def make_lenet_torchlike(lib, x, y, seed=0):
    """The blitz's LeNet (neural_networks_tutorial.py) as written there: forward, cross-entropy, backward.

    Returns (step, params): ``step()`` zeroes the gradients, runs forward + backward and returns the loss;
    ``params()`` the gradients as arrays. ``lib.manual_seed(seed)`` first: both libraries start from the same
    weights (tutorgrad's initialisation draws what PyTorch's does).
    """
    F = lib.nn.functional
    lib.manual_seed(seed)
    net = lenet(lib)
    xt, yt = lib.from_numpy(x), lib.from_numpy(y)

    def step():
        net.zero_grad()
        loss = F.cross_entropy(net(xt), yt)
        loss.backward()
        return loss.item()

    return step, lambda: [p.grad.numpy().copy() for p in net.parameters()]
