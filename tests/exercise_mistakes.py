"""The typical-mistakes table of the lessons' exercises (used by test_exercises.py).

``MISTAKES`` rows: the exercise, a wrong answer as students really write it, and the words its
message must contain: the mistake's name and what to do. The answer is the code a student puts in
place of the ``...`` lines of the exercise's cell (a tuple of parts when the cell has several
blocks of them); the test pastes it into the cell from the lesson and runs the cell, with ``torch``
bound to tutorgrad and then to real PyTorch (and ``np``, ``math``, ``nn`` = ``torch.nn``).

``CONTEXT[lesson]`` stands in for what earlier cells of the lesson made (the photo, the data, the
trained model) and the cell uses.
"""

CONTEXT = {
    "2": """
import matplotlib.pyplot as plt
from matplotlib.cbook import get_sample_data
photo = torch.tensor(plt.imread(get_sample_data("grace_hopper.jpg")))
img = photo.permute(2, 0, 1).float() / 255
face = img[:, 120:320, 130:330]
""",
    "12": """
import os, tempfile
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
path = os.path.join(tempfile.mkdtemp(), "digits-mlp.pt")
torch.save(model.state_dict(), path)
""",
    "10": """
class Value:
    def __init__(self, data, parents=(), op=""):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.op = op
        self.backward_step = lambda: None
""",
    "7": """
def f(x):
    return torch.stack([x[0] ** 2 * x[1], 5 * x[0] + torch.sin(x[1])])
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = f(x)
J = torch.stack([torch.autograd.grad(y, x, grad_outputs=e, retain_graph=True)[0] for e in torch.eye(2)])
""",
}

MISTAKES = [
    # --- lesson 1 -------------------------------------------------------------------------------------------------
    ('1.1', 'answer = [1, 2, 3]', ['a list, not a tensor', 'torch.tensor']),
    ('1.1', 'answer = torch.arange(3)', ['off by one', 'starts at 0']),
    ('1.1', 'answer = torch.tensor([[1, 2, 3]])', ['shape (1, 3)', 'brackets too many']),
    ('1.1', 'answer = torch.tensor([3, 2, 1])', ['wrong order']),
    ('1.2', 'answer = torch.arange(10)', ['off by one at the start', 'give the start']),
    ('1.2', 'answer = torch.arange(1, 10)', ['off by one at the end', 'must be 11']),
    ('1.2', 'answer = torch.arange(0, 11)', ['eleven numbers', 'start at 1']),
    ('1.2', 'answer = list(range(1, 11))', ['a list, not a tensor']),
    ('1.3', 'answer = t ** 2', ['forgot the plus one']),
    ('1.3', 'answer = t * 2 + 1', ['doubles', 't ** 2']),
    ('1.3', 'answer = (t + 1) ** 2', ['before squaring', 'square first']),
    ('1.3', 'answer = t ^ 2 + 1', ['not a power', '**']),
    ('1.3', 'answer = (t ^ 2) + 1', ['not a power', '**']),
    # --- lesson 2 -------------------------------------------------------------------------------------------------
    ('2.1', 'img = torch.zeros(3, 5, 4, dtype=torch.float64)', ['height and width are swapped']),
    ('2.1', 'img = torch.zeros(4, 5, 3, dtype=torch.float64)', ['channels are last', 'first']),
    ('2.1', 'img = torch.zeros(3, 4, 5)', ['float32', 'dtype=torch.float64']),
    ('2.1', 'img = torch.ones(3, 4, 5, dtype=torch.float64)', ['all ones', 'zeros']),
    ('2.2', 'predictions = ["int64", "int64", "float64", "int64"]', ['Line 1', 'true division', '//']),
    ('2.2', 'predictions = ["float32", "float32", "float64", "int64"]', ['Line 2', 'floor division', 'int64']),
    ('2.2', 'predictions = ["float32", "int64", "float32", "int64"]', ['Line 3', 'bigger kind', 'float64']),
    ('2.2', 'predictions = ["float32", "int64", "float64", "bool"]', ['Line 4', 'True + 1 is 2', 'int64']),
    ('2.2', 'predictions = ["float64", "int64", "float64", "int64"]', ['Line 1', 'default float is float32']),
    ('2.3', 'small_img = small.reshape(3, 150, 128).float() / 255', ['scrambled', 'permute(2, 0, 1)']),
    ('2.3', 'small_img = small.permute(2, 1, 0).float() / 255', ['height and width are swapped']),
    ('2.3', 'small_img = small.permute(2, 0, 1)', ['whole numbers from 0 to 255', '.float() / 255']),
    ('2.3', 'small_img = small.permute(2, 0, 1).float()', ['still from 0 to 255', 'divide by 255']),
    ('2.3', 'small_img = small.float() / 255', ['still height x width x channels', 'permute(2, 0, 1)']),
    ('2.3', 'small_img = photo.permute(2, 0, 1).float() / 255', ['whole photo', 'small']),
    ('2.4', 'batch = img.unsqueeze(-1)', ['went to the end', 'unsqueeze(0)']),
    ('2.4', 'batch = img.unsqueeze(1)', ['after the channels', 'unsqueeze(0)']),
    ('2.4', 'batch = torch.stack([img, img])', ['2 images', 'not stack']),
    ('2.4', 'batch = img', ['one more dimension', 'unsqueeze(0)']),
    ('2.4', 'batch = img.reshape(1, -1)', ['flattened', 'unsqueeze(0)']),
    ('2.5', 'pair = torch.cat([face, face.flip(2)], dim=1)', ['one above the other', 'dim=2']),
    ('2.5', 'pair = torch.stack([face, face.flip(2)])', ['new dimension', 'torch.cat']),
    ('2.5', 'pair = torch.cat([face, face.flip(1)], dim=2)', ['upside down', 'flip(2)']),
    ('2.5', 'pair = torch.cat([face, face.flip(0)], dim=2)', ['colours swapped', 'flip(2)']),
    ('2.5', 'pair = torch.cat([face.flip(2), face], dim=2)', ['mirrored face is on the left']),
    ('2.5', 'pair = torch.cat([face, face], dim=2)', ['same way round', 'flip']),
    # --- lesson 3 -------------------------------------------------------------------------------------------------
    ('3.1', 'answer = x[-1]', ['last row', 'x[:, -1]']),
    ('3.1', 'answer = x[:, -1:]', ['shape (3, 1)', 'a number, x[:, -1]']),
    ('3.1', 'answer = x[:, 2]', ['off by one', '-1']),
    ('3.1', 'answer = x[:, 0]', ['first column', '-1']),
    ('3.2', 'positive = t > 0', ['the mask itself', 't[t > 0]']),
    ('3.2', 'positive = t[t >= 0]', ['0 is not positive', 't > 0']),
    ('3.2', 'positive = t[t < 0]', ['wrong way round', 't > 0']),
    ('3.2', 'positive = t * (t > 0)', ['all ten places', 't[t > 0]']),
    ('3.2', 'positive = t.clamp(min=0)', ['all ten places', 't[t > 0]']),
    ('3.2', 'positive = t.abs()', ['abs()', 't[t > 0]']),
    ('3.3', 'average = marks.float().mean(dim=0)', ['per test', 'dim=1']),
    ('3.3', 'average = marks.float().sum(dim=1)', ['sums, not averages', 'mean']),
    ('3.3', 'average = marks.float().mean()', ['one number', 'dim=']),
    ('3.3', 'average = marks.sum(dim=1) // 3', ['whole numbers', '.float()']),
    ('3.3', 'average = marks.float().mean(dim=1, keepdim=True)', ['shape (4, 1)', 'keepdim']),
    ('3.4', 'table = rates.reshape(2, 1) * (1 + prices)', ['shape (2, 3)', 'prices the column']),
    ('3.4', 'table = prices.reshape(3, 1) * rates', ['forgot the 1 +', '(1 + rates)']),
    ('3.4', 'table = prices.reshape(3, 1) * rates + 1', ['added 1 after multiplying', 'parentheses']),
    ('3.4', 'table = prices[:, None] + rates', ['adds the rate', 'multiply']),
    ('3.5', 'torch.manual_seed(7)\nsample = torch.rand(5)', ['uniform', 'torch.randn']),
    ('3.5', 'torch.manual_seed(0)\nsample = torch.randn(5)', ['seed 0', 'torch.manual_seed(7)']),
    ('3.5', 'torch.manual_seed(7)\ntorch.randn(3)\nsample = torch.randn(5)', ['3 number(s) were drawn', 'right after']),
    ('3.5', 'torch.manual_seed(7)\nsample = torch.randn(1, 5)', ['shape (1, 5)', '(5,)']),
    ('3.5', 'g = torch.Generator().manual_seed(99)\n'
            'sample = torch.randn(5, generator=g)',
     ['not the numbers that seed 7 gives', 'torch.manual_seed(7)']),
    # --- lesson 4 -------------------------------------------------------------------------------------------------
    ('4.1', 't = torch.tensor(a)', ['memory of its own', 'torch.from_numpy(a) shares']),
    ('4.1', 't = torch.from_numpy(a.copy())', ['memory of its own', 'torch.from_numpy(a) shares']),
    ('4.1', 't = torch.from_numpy(a).float()', ['float32', 'copy', "keep a's dtype"]),
    ('4.1', 't = torch.as_tensor(a, dtype=torch.float32)', ['float32', 'copy']),
    ('4.1', 't = a', ['the NumPy array', 'make a tensor']),
    ('4.2', 't = torch.from_numpy(a)', ['shares memory', 'torch.tensor(a) copies']),
    ('4.2', 't = torch.as_tensor(a)', ['shares memory', 'torch.tensor(a) copies']),
    ('4.2', 't = torch.tensor(a, dtype=torch.float32)', ['float32', "keep a's dtype"]),
    ('4.2', 't = torch.tensor(a).long()', ['whole numbers', "keep a's dtype"]),
    ('4.2', 't = a.copy()', ['NumPy array, not a tensor']),
    ('4.3', 'arr = w.detach()', ['still a tensor', '.numpy()']),
    ('4.3', 'arr = w.detach().numpy', ['method', 'call it']),
    ('4.3', 'arr = w.tolist()', ['Python list', 'numpy()']),
    ('4.4', 'prediction = [0.0, 12.0, 12.0]', ['a = a + 10', 'new array']),
    ('4.4', 'prediction = [0.0, 1.0, 1.0]', ['a *= 2', 'in-place']),
    ('4.4', 'prediction = [2.0, 2.0, 2.0]', ['t[0] = 0.0']),
    ('4.4', 'prediction = [0.0, 11.0, 11.0]', ['a *= 2 before', 'did change']),
    # --- lesson 5 -------------------------------------------------------------------------------------------------
    ('5.1', 'predictions = [True, True, False, False]', ['p * 2 does not track', 'nothing tracked']),
    ('5.1', 'predictions = [False, False, False, False]', ['p * q tracks', 'any of its inputs']),
    ('5.1', 'predictions = [False, True, True, False]', ['detach()', 'cut off from the graph']),
    ('5.1', 'predictions = [False, True, False, True]', ['comparison', 'no derivative']),
    ('5.1', 'predictions = [True, True, True, True]', ['p * 2 does not track', '2 more']),
    ('5.2', 'leaves = {"a", "e"}', ['b is missing', 'does not require grad']),
    ('5.2', 'leaves = {"a", "b", "c", "e"}', ['c:', 'grad_fn', 'not leaves']),
    ('5.2', 'leaves = {"a", "b", "c", "d", "e"}', ['c and d', 'not leaves']),
    ('5.2', 'leaves = {"b"}', ['a and e missing', 'create yourself']),
    ('5.3', 'node_name = "ExpBackward0"', ['d.grad_fn itself', 'one step back']),
    ('5.3', 'node_name = "AccumulateGrad"', ['two steps back']),
    ('5.3', 'node_name = "Mul"', ['full name', 'Backward0']),
    ('5.3', 'node_name = d.grad_fn.next_functions[0][0]', ['the node itself', '.name()']),
    ('5.4', 'y = x * x + 3 * x', ['multiplication node', 'x ** 2']),
    ('5.4', 'y = x ** 2 + 3', ['y is 7', '3 * x']),
    ('5.4', 'y = x ** 2 - 3 * x', ['wrong sign', '+ 3 * x']),
    ('5.4', 'y = (x ** 2 + 3 * x).item()', ['Python number', '.item()']),
    ('5.4', 'y = x * (x + 3)', ['last operation is MulBackward0', 'addition']),
    ('5.4', 'with torch.no_grad():\n    y = x ** 2 + 3 * x', ['no grad_fn', 'no_grad']),
    # --- lesson 6 -------------------------------------------------------------------------------------------------
    ('6.1', 'answer = math.exp(3 * 0.5)', ['forgot the inner derivative', '3']),
    ('6.1', 'answer = 3 * math.exp(0.5)', ['at x = 0.5', 'u = 3x = 1.5']),
    ('6.1', 'answer = math.exp(1.5) / 3', ['divided', 'multiplies']),
    ('6.1', 'answer = 3 * 0.5 * math.exp(1.5)', ['3x = 1.5', 'its derivative']),
    ('6.2', 'g = u ** 2 * v + v\n'
            'g.backward(retain_graph=True)\n'
            'g.backward()\n'
            'answer = (u.grad, v.grad)',
     ['2 times too big', 'accumulated', 'Re-run']),
    ('6.2', 'g = u ** 2 * v + v\ng.backward()\nanswer = (v.grad, u.grad)', ['swapped', '(u.grad, v.grad)']),
    ('6.2', 'g = u ** 2 * v + v\ng.backward()\nanswer = (u, v)', ['u and v themselves', 'u.grad']),
    ('6.2', 'g = u ** 2 * v + v\nanswer = (u.grad, v.grad)', ['None', 'g.backward()']),
    ('6.3', 'prediction = 5', ['overwrites', 'adds']),
    ('6.3', 'prediction = 125', ['does not multiply', 'adds']),
    ('6.3', 'prediction = 3', ['counts the backward() calls', 'sum']),
    ('6.4', 'y = x ** 3\nanswer = y', ['values y_i = x_i^3', 'x.grad']),
    ('6.4', 'y = x ** 3\ny.mean().backward()\nanswer = x.grad', ['divided by 5', 'y.sum()']),
    ('6.4', 'y = x ** 3\n'
            'y.sum().backward()\n'
            'y = x ** 3\n'
            'y.sum().backward()\n'
            'answer = x.grad',
     ['twice', 'accumulated', 'backward once']),
    ('6.4', 'y = x ** 3\nanswer = x.grad', ['None', 'backward()']),
    ('6.4', 'answer = torch.autograd.grad((x ** 3).sum(), x)', ['tuple', '[0]']),
    ('6.5', 'return (f(x + h) - f(x)) / h',
     ['forward difference', 'f(x + h) - f(x - h)', 'Given:', 'f = math.exp', 'x = 1', 'h = 0.1', 'returned']),
    ('6.5', 'return (f(x + h) - f(x - h)) / h', ['divided by h', '2 * h', 'was expected']),
    ('6.5', 'return (f(x + h) - f(x - h)) / 2 * h', ['left to right', '(2 * h)']),
    ('6.5', 'return (f(x - h) - f(x + h)) / (2 * h)', ['Wrong sign']),
    ('6.5', 'return f(x + h) - f(x - h)', ['forgot to divide']),
    # --- lesson 7 -------------------------------------------------------------------------------------------------
    ('7.1', 'rows = []\n'
            'for i in range(3):\n'
            '    e_i = torch.zeros(3)\n'
            '    e_i[i] = 1.0\n'
            '    y.backward(gradient=e_i, retain_graph=True)\n'
            '    rows.append(x.grad.clone())\n'
            'J = torch.stack(rows)',
     ['rows add up', 'x.grad = None']),
    ('7.1', 'rows = []\n'
            'for i in range(3):\n'
            '    e_i = torch.zeros(3)\n'
            '    e_i[i] = 1.0\n'
            '    y.backward(gradient=e_i, retain_graph=True)\n'
            '    rows.append(x.grad)\n'
            'J = torch.stack(rows)',
     ['Every row is the same', 'x.grad.clone()']),
    ('7.1', 'rows = []\n'
            'for i in range(3):\n'
            '    x.grad = None\n'
            '    e_i = torch.zeros(3)\n'
            '    e_i[i] = 1.0\n'
            '    y.backward(gradient=e_i, retain_graph=True)\n'
            '    rows.append(x.grad.clone())\n'
            'J = torch.stack(rows, dim=1)',
     ['shape (2, 3)', 'transpose']),
    ('7.1', 'y.sum().backward()\nJ = x.grad', ['one row', 'one backward pass per output']),
    ('7.1', 'rows = [torch.autograd.grad(y, x, grad_outputs=e, retain_graph=True)[0] for e in torch.eye(3)]\n'
            'J = rows',
     ['Python list', 'torch.stack']),
    ('7.2', 'prediction = J @ torch.tensor([2.0, -1.0])', ['J v', 'weighs the rows']),
    ('7.2', 'prediction = J.sum(dim=0)', ['sum of the rows', 'all ones']),
    ('7.2', 'prediction = [-3.0, -2.4161]', ['Wrong sign']),
    ('7.2', 'prediction = [8.0, 0.4161]', ['diagonal', 'in full']),
    ('7.3', 'dh, = torch.autograd.grad(h, x)\nanswer = dh', ['first derivative', 'create_graph=True']),
    ('7.3', 'h.backward(create_graph=True)\nx.grad.backward()\nanswer = x.grad', ["h' + h''", 'x.grad']),
    ('7.3', 'answer = 2 * torch.cos(x)', ['2 cos x alone', 'product rule']),
    ('7.3', 'dh = torch.autograd.grad(h, x, create_graph=True)\nanswer = torch.autograd.grad(dh, x)', ['tuple', '[0]']),
    ('7.4', 'Hv, = torch.autograd.grad(p, x)', ['gradient of p', 'second pass']),
    ('7.4', 'grad, = torch.autograd.grad(p, x)\nHv = grad * v', ['element by element', 'grad_outputs=v']),
    ('7.4', 'grad, = torch.autograd.grad(p, x, create_graph=True)\n'
            'Hv = torch.stack([torch.autograd.grad(grad[i], x, retain_graph=True)[0] for i in range(3)])',
     ['whole Hessian', 'grad_outputs=v']),
    ('7.4', 'grad, = torch.autograd.grad(p, x)\nHv = (grad * v).sum()', ['one number', 'grad_outputs=v']),
    # --- lesson 8 -------------------------------------------------------------------------------------------------
    ('8.1', 'answer = 1.0 + 0.1 * 4.0', ['uphill', 'subtracts']),
    ('8.1', 'answer = 1.0 - 4.0', ['without the learning rate']),
    ('8.1', 'answer = 0.1 * 4.0', ['size of the step', 'w minus it']),
    ('8.2', 'lr = 1.0', ['back and forth', 'a bit further']),
    ('8.2', 'lr = 0.9', ['still converges', 'Larger']),
    ('8.2', 'lr = -0.5', ['uphill on purpose', 'positive']),
    ('8.2', 'lr = 0.5', ['one step']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    with torch.no_grad():\n'
            '        w += lr * w.grad\n'
            '        b += lr * b.grad\n'
            '    w.grad = None\n'
            '    b.grad = None',
     ['uphill', 'w -= lr * w.grad', 'Given:', 'steps = 1', 'lr = 0.1', 'returned w = ', 'was expected']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    with torch.no_grad():\n'
            '        w -= lr * w.grad\n'
            '        b -= lr * b.grad\n',
     ['never reset', 'w.grad = None', 'steps = 2']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).sum()\n'
            '    loss.backward()\n'
            '    with torch.no_grad():\n'
            '        w -= lr * w.grad\n'
            '        b -= lr * b.grad\n'
            '    w.grad = None\n'
            '    b.grad = None',
     ['5 times too big', '.mean()']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    with torch.no_grad():\n'
            '        w -= lr * w.grad\n'
            '    w.grad = None\n'
            '    b.grad = None',
     ['b never moved']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    w -= lr * w.grad\n'
            '    b -= lr * b.grad\n'
            '    w.grad = None\n'
            '    b.grad = None',
     ['in place', 'torch.no_grad()']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    with torch.no_grad():\n'
            '        w = w - lr * w.grad\n'
            '        b = b - lr * b.grad\n'
            '    w.grad = None\n'
            '    b.grad = None',
     ['no longer requires grad', 'w -= lr * w.grad']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    with torch.no_grad():\n'
            '        w -= 0.1 * w.grad\n'
            '        b -= 0.1 * b.grad\n'
            '    w.grad = None\n'
            '    b.grad = None',
     ['lr = 0.1 gives', 'passed in']),
    ('8.3', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()',
     ['never moved', 'torch.no_grad()']),
    ('8.4', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    optimizer.step()',
     ['never zeroed', 'optimizer.zero_grad()', 'Given:']),
    ('8.4', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    loss.backward()\n'
            '    optimizer.zero_grad()\n'
            '    optimizer.step()',
     ['never moved', 'zeroing comes before backward']),
    ('8.4', 'for step in range(steps):\n'
            '    optimizer.zero_grad()\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    optimizer.step()\n'
            '    loss.backward()',
     ['never moved']),
    ('8.4', 'for step in range(steps):\n'
            '    loss = ((w * xs + b - ys) ** 2).mean()\n'
            '    optimizer.step()\n'
            '    loss.backward()',
     ['loss.backward() before optimizer.step()']),
    ('8.4', 'for step in range(steps):\n'
            '    optimizer.zero_grad()\n'
            '    loss = ((w * xs + b - ys) ** 2).sum()\n'
            '    loss.backward()\n'
            '    optimizer.step()',
     ['5 times too big', '.mean()']),
    # --- lesson 9 -------------------------------------------------------------------------------------------------
    ('9.1', 'prediction = 0.0', ['even 0 is a gradient']),
    ('9.1', 'prediction = 2.0', ['identity', 'path back to s']),
    ('9.1', 'prediction = "None"', ['string', 'without quotes']),
    ('9.1', 'prediction = torch.tensor(0.0)', ['even 0 is a gradient']),
    ('9.2', ('ctx.save_for_backward(x)\n'
             'return x * x',
             'x, = ctx.saved_tensors\n'
             'return 2 * x'),
     ['forgot grad_output', 'upstream', 'Given:', 'grad_output = [0.5, -1, 2]']),
    ('9.2', ('return x * x',
             'x, = ctx.saved_tensors\n'
             'return grad_output * 2 * x'),
     ['saved_tensors is empty', 'ctx.save_for_backward(x)']),
    ('9.2', ('ctx.save_for_backward(x)\n'
             'return x * x',
             'x, = ctx.saved_tensors\n'
             'return grad_output * x'),
     ['forgot the 2']),
    ('9.2', ('ctx.save_for_backward(x)\nreturn x * x', 'return grad_output * 2'), ['not 2', 'multiply by x']),
    ('9.2', ('ctx.save_for_backward(x)\n'
             'return x * x',
             'x, = ctx.saved_tensors\n'
             'return -grad_output * 2 * x'),
     ['Wrong sign']),
    ('9.2', ('ctx.save_for_backward(x)\n'
             'return 2 * x',
             'x, = ctx.saved_tensors\n'
             'return grad_output * 2 * x'),
     ['forward should return x squared', 'returned']),
    ('9.2', ('ctx.save_for_backward(x)\n'
             'return x * x',
             'x, = ctx.saved_tensors'),
     ['x.grad is None', 'return the gradient']),
    ('9.3', ('return x.clamp(0, 1)', 'return grad_output * 0'), ['All zeros', 'grad_output itself']),
    ('9.3', ('return x.clamp(0, 1)',
             'return torch.ones_like(grad_output)'),
     ['All ones', 'gradient from above is lost']),
    ('9.3', ('ctx.save_for_backward(x)\n'
             'return x.clamp(0, 1)',
             'x, = ctx.saved_tensors\n'
             'return grad_output * ((x >= 0) & (x <= 1)).float()'),
     ["clamp's own gradient", 'unchanged']),
    ('9.3', ('return x.clone()', 'return grad_output'), ['unchanged: it should clamp', 'x.clamp(0, 1)']),
    ('9.4', 'predictions = [None, False]', ['not None', 'recorded in the graph']),
    ('9.4', 'predictions = [[0.3333, -0.3333, 0.3333], False]', ['all zeros', 'local derivative is 0']),
    ('9.4', 'predictions = [[0.0, 0.0, 0.0], True]', ['comparison', 'never tracked']),
    ('9.4', 'predictions = [0.0, True]', ['comparison']),
    ('9.5', 'culprit = "A"', ["A's backward is right"]),
    ('9.5', 'culprit = "both"', ['Only one of them', 'gradcheck']),
    ('9.5', 'culprit = "neither"', ['One of them is wrong']),
    ('9.5', 'culprit = False', ['what gradcheck returns', '"A" or "B"']),
    # --- lesson 10 ------------------------------------------------------------------------------------------------
    ('10.2', 'prediction = [3.0, 1.0]', ['only the path through +', 'add up']),
    ('10.2', 'prediction = [3.0, 2.0]', ['only the path through a * b', 'adds 1']),
    ('10.2', 'prediction = [3.0, 6.0]', ['do not multiply']),
    ('10.2', 'prediction = [2.0, 3.0]', ['b = 3', 'a itself']),
    ('10.1', 'self.grad += out.data', ['forgot out.grad', 'Given:', 'x = Value(0.5) with grad 0.25', 'out.grad = -2']),
    ('10.1', 'self.grad = out.data * out.grad', ['+=, not =', 'used twice']),
    ('10.1', 'self.grad += self.data * out.grad', ['not x (self.data)']),
    ('10.1', 'self.grad -= out.data * out.grad', ['Wrong sign']),
    ('10.1', 'self.grad += out.grad', ['like +', 'out.data']),
    ('10.3', ('ctx.save_for_backward(x)\n'
              'return (1 + x.exp()).log()',
              'x, = ctx.saved_tensors\n'
              'return torch.sigmoid(x)'),
     ['forgot grad_output', 'upstream']),
    ('10.3', ('ctx.save_for_backward(x)\n'
              'return (1 + x.exp()).log()',
              'x, = ctx.saved_tensors\n'
              'return grad_output * x.exp()'),
     ['That is e^x', 'sigmoid']),
    ('10.3', ('ctx.save_for_backward(x)\n'
              'return (1 + x.exp()).log()',
              'x, = ctx.saved_tensors\n'
              'return grad_output * torch.sigmoid(-x)'),
     ['sigmoid(-x)', 'sign of x']),
    ('10.3', ('return (1 + x.exp()).log()',
              'x, = ctx.saved_tensors\n'
              'return grad_output * torch.sigmoid(x)'),
     ['saved_tensors is empty', 'ctx.save_for_backward(x)']),
    ('10.3', ('ctx.save_for_backward(x)\n'
              'return x.exp().log()',
              'x, = ctx.saved_tensors\n'
              'return grad_output * torch.sigmoid(x)'),
     ['forward should return log(1 + e^x)']),
    # --- lesson 11 ------------------------------------------------------------------------------------------------
    ('11.1', 'answer = 16', ['weights only', 'bias']),
    ('11.1', 'answer = 24', ['second layer has a bias too']),
    ('11.1', 'answer = 17', ['first layer has a bias too']),
    ('11.1', 'answer = 9', ['second layer alone']),
    ('11.2', 'answer = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 1))', ['one hidden layer', 'need 3']),
    ('11.2', 'answer = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, '
             '1), nn.Tanh())',
     ['after the last Linear', 'no activation']),
    ('11.2', 'answer = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1))',
     ['nn.Tanh()', 'not nn.ReLU()']),
    ('11.2', 'answer = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 10), nn.Linear(10, 1))',
     ['1 Tanh', 'each hidden layer needs one']),
    ('11.2', 'answer = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 1), nn.Tanh(), nn.Linear(1, 1))',
     ['map', '10 -> 10']),
    ('11.3', 'answer = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))', ['untrained', 'Train it']),
    ('11.3', 'torch.manual_seed(0)\n'
             'kink = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))\n'
             'kink_optimizer = torch.optim.Adam(kink.parameters(), lr=0.01)\n'
             'for step in range(500):\n'
             '    kink_optimizer.zero_grad()\n'
             '    loss = nn.functional.mse_loss(kink(xs), xs)\n'
             '    loss.backward()\n'
             '    kink_optimizer.step()\n'
             'answer = kink',
     ['fits the line y = x', 'xs.abs()']),
    ('11.3', 'answer = nn.Sequential(nn.Linear(1, 16), nn.Tanh())', ['one column per hidden unit', 'nn.Linear(16, 1)']),
    ('11.3', 'answer = nn.Sequential(nn.Linear(101, 1))', ['fails on inputs of shape (101, 1)', 'nn.Linear(1, ...)']),
    ('11.3', 'torch.manual_seed(0)\n'
             'kink = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))\n'
             'kink_optimizer = torch.optim.Adam(kink.parameters(), lr=0.01)\n'
             'for step in range(20):\n'
             '    kink_optimizer.zero_grad()\n'
             '    loss = nn.functional.mse_loss(kink(xs), ys)\n'
             '    loss.backward()\n'
             '    kink_optimizer.step()\n'
             'answer = kink',
     ['train longer']),
    # --- lesson 12 ------------------------------------------------------------------------------------------------
    ('12.1', 'return (logits.argmax(dim=1) == labels).float().sum().item()',
     ['how many rows are right', 'divide', 'Given:', 'logits = [[1, 2, 3, 5, 4]', 'returned 1', '0.2 was expected']),
    ('12.1', 'return (logits.argmax(dim=0) == labels).float().mean().item()', ['dim=0', 'argmax(dim=1)']),
    ('12.1', 'return (logits.max(dim=1).values == labels).float().mean().item()',
     ['largest score itself', 'argmax, not max']),
    ('12.1', 'return (logits.argmax(dim=1) == labels).float()', ['one True/False', '.float().mean()']),
    ('12.1', 'return (logits.argmax(dim=1) != labels).float().mean().item()', ['wrong rows']),
    ('12.1', 'return (logits.argmin(dim=1) == labels).float().mean().item()', ['argmin', 'argmax(dim=1)']),
    ('12.2', 'logp = logits.log_softmax(dim=1)\n'
             'return logp[torch.arange(len(labels)), labels].mean()',
     ['sign is flipped', 'minus']),
    ('12.2', 'logp = logits.log_softmax(dim=1)\n'
             'return -logp[torch.arange(len(labels)), labels].sum()',
     ['sum over the batch', '.mean()']),
    ('12.2', 'p = logits.softmax(dim=1)\n'
             'return -p[torch.arange(len(labels)), labels].mean()',
     ['probabilities', 'log_softmax']),
    ('12.2', 'logp = logits.log_softmax(dim=0)\n'
             'return -logp[torch.arange(len(labels)), labels].mean()',
     ['dim=0', 'dim=1']),
    ('12.2', 'logp = logits.log_softmax(dim=1)\n'
             'return -logp[:, labels].mean()',
     ["labels' columns", 'torch.arange(len(labels))']),
    ('12.2', 'logp = logits.log_softmax(dim=1)\n'
             'return -logp[torch.arange(len(labels)), labels]',
     ['one number', 'mean']),
    ('12.2', 'return torch.nn.functional.cross_entropy(logits, labels).item()', ['float', 'no .item()']),
    ('12.3', 'restored2 = model', ['trained model itself']),
    ('12.3', 'restored2 = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))',
     ['its own random weights', 'load_state_dict']),
    ('12.3', 'restored2 = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, '
             '10)).load_state_dict(torch.load(path))',
     ['report of the keys', 'own line']),
    ('12.3', 'restored2 = torch.load(path)', ['state dict itself', 'build the network']),
    ('12.3', 'restored2 = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))', ['build the same layers']),
]
