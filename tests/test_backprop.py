"""Chapter 7: the `Value` engine against PyTorch's autograd on random formulas, the hand-written gradients of `simple_net`
against PyTorch's on real 3s and 7s, and the chapter's two checkers against wrong, right and careless solutions."""
import hashlib, math, random, sys, time, warnings
import numpy as np
import pytest, torch
from torch import tensor
import neuralnets101.checkers as checkers
from neuralnets101.backprop import *
from neuralnets101.checkers import check_tanh, check_linear1_backward, _tanh_slip
from neuralnets101.mnist import mnist_path, digit_stack, digit_pixels
from neuralnets101.sgd import (inputs_and_labels, get_dls, simple_net, mnist_loss, validate_epoch, train_epoch, BasicOptim,
                               linear1)
from fastai.torch_core import set_seed

# --- random formulas, computed once with Value and once with PyTorch in float64 ---
UNARY = ['relu', 'sigmoid', 'exp', 'log', 'neg', 'pow']
BINARY = ['+', '-', '*', '/']
WITH_NUMBER = ['number+', '+number', 'number-', '-number', 'number*', '*number', 'number/', '/number']

def _apply(op, a, b=None, number=None):
    "One step of a formula, the same Python for a Value and for a tensor."
    if op == '+': return a + b
    if op == '-': return a - b
    if op == '*': return a * b
    if op == '/': return a / b
    if op == 'relu': return a.relu()
    if op == 'sigmoid': return a.sigmoid()
    if op == 'exp': return a.exp()
    if op == 'log': return a.log()
    if op == 'neg': return -a
    if op == 'pow': return a ** number
    return {'number+': lambda: number + a, '+number': lambda: a + number, 'number-': lambda: number - a,
            '-number': lambda: a - number, 'number*': lambda: number * a, '*number': lambda: a * number,
            'number/': lambda: number / a, '/number': lambda: a / number}[op]()

def random_program(rng:random.Random, steps:int) -> tuple:
    "Leaves and a list of steps (op, i, j, number) over a pool of values, chosen so that every step is defined."
    leaves = [rng.uniform(-2, 2) for _ in range(rng.randint(1, 4))]
    pool, program = [Value(x) for x in leaves], []
    for _ in range(steps):
        op = rng.choice(UNARY + BINARY + WITH_NUMBER)
        i, j = rng.randrange(len(pool)), rng.randrange(len(pool))   # often the same value twice, or one used again later
        a, b, number = pool[i].data, pool[j].data, rng.choice([0.5, 2, 3, -1.5, 4.])
        if abs(a) > 50 and op not in ('sigmoid', 'log', 'relu'): op = 'sigmoid'   # keep numbers in a readable range
        if op == 'exp' and a > 5: op = 'sigmoid'
        if op == 'log' and a <= 0.05: op = 'sigmoid'
        if op == '/' and abs(b) < 0.2: op = '*'
        if op == 'number/' and abs(a) < 0.2: op = '*number'
        if op == 'relu' and abs(a) < 1e-9: op = 'sigmoid'
        if op == 'pow':
            number = rng.choice([2, 3, -1, 0.5, 1.5]) if a > 0.2 else rng.choice([2, 3]) if abs(a) < 5 else 2
            if abs(a) < 0.2 and number < 0: number = 2
        program.append((op, i, j, number))
        pool.append(_apply(op, pool[i], pool[j], number))
    return leaves, program

def run_program(leaves, program, make):
    "The pool of values a program computes from leaves made by `make` (Value, or a float64 tensor)."
    pool = [make(x) for x in leaves]
    for op, i, j, number in program: pool.append(_apply(op, pool[i], pool[j], number))
    return pool

def torch_leaf(x): return tensor(x, dtype=torch.float64, requires_grad=True)

def _close(a, b, tol=1e-6): return abs(a - b) <= tol*max(1., abs(b))

def compare_with_torch(leaves, program, outputs:int=1):
    "Value and PyTorch on the same program: the output (the sum of the last `outputs` values) and every leaf's gradient."
    mine, theirs = run_program(leaves, program, Value), run_program(leaves, program, torch_leaf)
    outputs = min(outputs, len(mine))
    out, out_t = sum(mine[-outputs:][1:], mine[-outputs]), sum(theirs[-outputs:][1:], theirs[-outputs])
    out.backward(); out_t.backward()
    assert _close(out.data, out_t.item()), (program, out.data, out_t.item())
    for k, (leaf, leaf_t) in enumerate(zip(mine, theirs[:len(leaves)])):
        expected = leaf_t.grad.item() if leaf_t.grad is not None else 0.
        assert _close(leaf.grad, expected), (k, program, leaf.grad, expected)
    return [op for op, *_ in program]

def test_value_matches_pytorch_on_1200_random_formulas():
    rng, used, compared = random.Random(0), set(), 0
    for n in range(1200):
        leaves, program = random_program(rng, rng.randint(1, 25))
        used.update(compare_with_torch(leaves, program, outputs=rng.choice([1, 1, 2, 3])))
        compared += 1
    assert compared >= 1000
    assert used == set(UNARY + BINARY + WITH_NUMBER), set(UNARY + BINARY + WITH_NUMBER) - used   # every operation was tried

def test_value_matches_pytorch_on_deep_chains():
    rng = random.Random(1)
    for depth in (200, 500, 1000):
        leaves, program = random_program(rng, depth)
        compare_with_torch(leaves, program)

def test_a_chain_deeper_than_pythons_recursion_limit():
    x = Value(0.3); y = x
    for _ in range(3*sys.getrecursionlimit()): y = (y * 0.999 + 0.001).sigmoid() * 1.5
    y.backward()
    x_t = torch_leaf(0.3); y_t = x_t
    for _ in range(3*sys.getrecursionlimit()): y_t = (y_t * 0.999 + 0.001).sigmoid() * 1.5
    y_t.backward()
    assert _close(x.grad, x_t.grad.item())

def test_values_used_twice_and_shared_between_formulas():
    x, w = Value(1.3), Value(-0.7)
    hidden = x * w
    (hidden * hidden + hidden.sigmoid() * x + x / hidden).backward()
    x_t, w_t = torch_leaf(1.3), torch_leaf(-0.7)
    hidden_t = x_t * w_t
    (hidden_t * hidden_t + hidden_t.sigmoid() * x_t + x_t / hidden_t).backward()
    assert _close(x.grad, x_t.grad.item()) and _close(w.grad, w_t.grad.item())
    square = x * x
    assert square.parents == (x, x)
    square.backward()
    assert _close(x.grad, x_t.grad.item() + 2*1.3)   # leaves add up across backward passes

def test_leaf_gradients_accumulate_and_intermediate_ones_start_afresh():
    x = Value(1.5)
    y = x**3 - 2*x
    y.backward(retain_graph=True); y.backward()
    assert x.grad == 9.5 and y.grad == 1.   # like chapter 2's PyTorch example: 4.75 twice
    x.grad = 0; (x * 2).backward()
    assert x.grad == 2.

def test_backward_twice_needs_retain_graph_and_changes_nothing_when_refused():
    x, w = Value(0.5), Value(2.)
    y = (x * w).sigmoid()
    y.backward()
    before = (x.grad, w.grad)
    with pytest.raises(RuntimeError, match="retain_graph=True"): y.backward()
    assert (x.grad, w.grad) == before
    shared = x * w; first, second = shared + 1, shared * 3
    first.backward()
    with pytest.raises(RuntimeError, match="second time"): second.backward()   # the shared step was thrown away, as in PyTorch

def test_no_grad_records_nothing_and_is_undone_after_an_error():
    x = Value(2.)
    with no_grad(): y = x * 3 + 1
    assert y.parents == () and y.data == 7.
    y.backward(); assert x.grad == 0.
    with pytest.raises(ZeroDivisionError):
        with no_grad(): x / 0
    assert (x * 2).parents[0] is x   # recording is back on
    import neuralnets101.backprop as backprop
    assert backprop._recording is True

@pytest.mark.parametrize('attempt, error, words', [
    (lambda: Value('a'), TypeError, "got str 'a'"),
    (lambda: Value(None), TypeError, "got NoneType"),
    (lambda: Value(True), TypeError, "got bool"),
    (lambda: Value(tensor(2.)), TypeError, ".item()"),
    (lambda: Value(Value(1.)), TypeError, ".data"),
    (lambda: Value(1., parents=[0.5]), TypeError, "parents must be Values"),
    (lambda: Value(2.) ** Value(2.), TypeError, "(y * x.log()).exp()"),
    (lambda: Value(2.) ** '2', TypeError, "the exponent must be a plain number"),
    (lambda: 2 ** Value(2.), TypeError, "math.log(2)"),
    (lambda: Value(-8.) ** (1/3), ValueError, "not a real number"),
    (lambda: Value(0.) ** -1, ZeroDivisionError, "no negative powers"),
    (lambda: Value(0.).log(), ValueError, "got log(0)"),
    (lambda: Value(-1.).log(), ValueError, "positive numbers"),
    (lambda: Value(1.) / 0, ZeroDivisionError, "division by zero"),
    (lambda: 1 / Value(0.), ZeroDivisionError, "division by zero"),
    (lambda: Value(800.).exp(), OverflowError, "too large"),
    (lambda: Value(1.) + 'a', TypeError, "got str 'a'"),
    (lambda: Value(1.) * tensor(2.), TypeError, "a Value combines with another Value or a plain number"),
    (lambda: topological_order(1.5), TypeError, "expected a Value"),
])
def test_bad_input_gets_a_clear_error(attempt, error, words):
    with pytest.raises(error) as info: attempt()
    assert words in str(info.value), str(info.value)

def test_repr_and_numbers_on_either_side():
    v = Value(3., label='v')
    assert repr(v) == "Value(3, grad=0, label='v')"
    assert repr(v * 2) == "Value(6, grad=0, op='*')"
    assert [(2*v).data, (v/3).data, (1 - v).data, (2/v).data, (v + 1).data, (1 + v).data, (v - 1).data, (-v).data] == \
           [6., 1., -2., 2/3, 4., 4., 2., -3.]
    assert Value(float('nan')).data != Value(float('nan')).data   # NaN is a number, kept as it is

def test_draw_graph_shows_numbers_gradients_and_local_derivatives():
    import matplotlib; matplotlib.use('Agg')
    x, w = Value(0.8, label='x'), Value(-0.5, label='w')
    loss = 1 - (w * x + 0.1).sigmoid()
    loss.backward(retain_graph=True)
    texts = [t.get_text() for t in draw_graph(loss).texts]
    assert 'x\n0.8' in texts and 'grad -0.1956' in texts and '×0.8' in texts and '×-1' in texts
    loss.backward()   # throws the local derivatives away: the picture still draws, without them
    assert not any(t.startswith('×') for t in (t.get_text() for t in draw_graph(loss).texts))

# --- simple_net's gradients by hand, on real 3s and 7s ---
@pytest.fixture(scope='module')
def threes_and_sevens():
    path = mnist_path()
    train = inputs_and_labels(digit_stack(path, 3), digit_stack(path, 7))
    valid = inputs_and_labels(digit_stack(path, 3, 'testing'), digit_stack(path, 7, 'testing'))
    return (*train, *valid)

@pytest.mark.parametrize('seed', [0, 1, 42])
def test_simple_net_gradients_by_hand_match_pytorch(threes_and_sevens, seed):
    train_x, train_y, valid_x, valid_y = threes_and_sevens
    set_seed(seed)
    train_dl, _ = get_dls(train_x, train_y, valid_x, valid_y, bs=64)
    net = simple_net()
    for batch, (xb, yb) in zip(range(3), train_dl):
        loss, grads = simple_net_grads(net, xb, yb)
        net.zero_grad()
        loss_t = mnist_loss(net(xb), yb); loss_t.backward()
        assert abs(loss.item() - loss_t.item()) < 1e-6
        assert set(grads) == {name for name, _ in net.named_parameters()}
        for name, param in net.named_parameters():
            assert grads[name].shape == param.shape
            assert (grads[name] - param.grad).abs().max() < 1e-5, name
        with torch.no_grad():
            for param in net.parameters(): param -= 2. * param.grad   # move on, so later batches see trained weights

def test_each_backward_step_matches_pytorch(threes_and_sevens):
    xb, yb = threes_and_sevens[0][::50], threes_and_sevens[1][::50]
    scores = torch.randn(len(xb), 1, requires_grad=True)
    mnist_loss(scores, yb).backward()
    assert (mnist_loss_backward(scores.detach(), yb) - scores.grad).abs().max() < 1e-7
    layer, upstream = torch.nn.Linear(784, 5), torch.randn(len(xb), 5)
    x = xb.clone().requires_grad_()
    layer(x).backward(upstream)
    for mine, theirs in zip(linear_backward(xb, layer.weight.detach(), upstream), (x.grad, layer.weight.grad, layer.bias.grad)):
        assert (mine - theirs).abs().max() < 1e-5
    hidden = torch.randn(len(xb), 30, requires_grad=True); upstream = torch.randn(len(xb), 30)
    hidden.relu().backward(upstream)
    assert torch.equal(relu_backward(hidden.detach(), upstream), hidden.grad)

def test_one_epoch_by_hand_learns_and_equals_chapter_3s_loop(threes_and_sevens):
    train_x, train_y, valid_x, valid_y = threes_and_sevens
    set_seed(42)
    train_dl, valid_dl = get_dls(train_x, train_y, valid_x, valid_y, bs=64)
    net = simple_net()
    before = validate_epoch(net, valid_dl)
    train_epoch_by_hand(net, train_dl, lr=2.)
    after = validate_epoch(net, valid_dl)
    assert after > 0.9 and after > before + 0.2, (before, after)
    set_seed(42)
    train_dl, _ = get_dls(train_x, train_y, valid_x, valid_y, bs=64)
    autograd_net = simple_net()
    train_epoch(autograd_net, train_dl, BasicOptim(autograd_net.parameters(), lr=2.))
    assert max((a - b).abs().max().item() for a, b in zip(net.parameters(), autograd_net.parameters())) < 1e-4

def test_simple_net_forward_refuses_other_networks_and_unflattened_batches(threes_and_sevens):
    with pytest.raises(TypeError, match="built like simple_net"): simple_net_forward(torch.nn.Linear(784, 1), threes_and_sevens[0][:4])
    with pytest.raises(TypeError, match="built like simple_net"):
        simple_net_forward(torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.ReLU(), torch.nn.Linear(30, 10)), threes_and_sevens[0][:4])
    with pytest.raises(ValueError, match="flatten"): simple_net_forward(simple_net(), torch.zeros(4, 28, 28))
    with pytest.raises(ValueError, match="same shape"): mnist_loss_backward(torch.zeros(4, 1), torch.zeros(4))

# --- the checkers ---
@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    "A hanging solution costs half a second here instead of the learner's five."
    monkeypatch.setattr(checkers, 'TIME_LIMIT', 0.5)

def _tanh_with(pass_back_line):
    "A my_tanh whose pass_back is `pass_back_line(x, t, out)`."
    def my_tanh(x):
        t = math.tanh(x.data)
        out = Value(t, parents=(x,), op='tanh')
        def pass_back(): pass_back_line(x, t, out)
        out.pass_back = pass_back
        return out
    return my_tanh

def _add(x, amount): x.grad += amount
def _set(x, amount): x.grad = amount
tanh_sign_flipped = _tanh_with(lambda x, t, out: _add(x, -(1 - t**2) * out.grad))
tanh_without_upstream = _tanh_with(lambda x, t, out: _add(x, 1 - t**2))
tanh_overwrites = _tanh_with(lambda x, t, out: _set(x, (1 - t**2) * out.grad))
tanh_overwrites_without_upstream = _tanh_with(lambda x, t, out: _set(x, 1 - t**2))
tanh_input_squared = _tanh_with(lambda x, t, out: _add(x, (1 - x.data**2) * out.grad))
def tanh_forgets_pass_back(x): return Value(math.tanh(x.data), parents=(x,), op='tanh')
def tanh_without_parents(x): return Value(math.tanh(x.data))
def tanh_of_the_value(x): return Value(math.tanh(x))
def tanh_as_float(x): return math.tanh(x.data)
def tanh_with_torch(x): return torch.tanh(x)
def tanh_in_place(x):
    x.data = math.tanh(x.data)
    return x
def tanh_changes_x(x):
    t = math.tanh(x.data); x.data = 0.
    out = Value(t, parents=(x,), op='tanh')
    def pass_back(): x.grad += (1 - t**2) * out.grad
    out.pass_back = pass_back
    return out
def tanh_nan(x): return Value(float('nan'), parents=(x,), op='tanh')
def tanh_nan_gradient(x):
    out = Value(math.tanh(x.data), parents=(x,), op='tanh')
    def pass_back(): x.grad += float('nan')
    out.pass_back = pass_back
    return out
def tanh_raising_in_pass_back(x):
    out = Value(math.tanh(x.data), parents=(x,), op='tanh')
    def pass_back(): raise ValueError("oops in pass_back")
    out.pass_back = pass_back
    return out
def tanh_hangs_in_pass_back(x):
    out = Value(math.tanh(x.data), parents=(x,), op='tanh')
    def pass_back():
        while True: pass
    out.pass_back = pass_back
    return out
def tanh_with_exp_and_cosh(x):
    "Right, written differently: tanh from exp, its local derivative as 1/cosh²."
    e = math.exp(2*x.data)
    out = Value((e - 1)/(e + 1), parents=[x], op='tanh')
    out.pass_back = lambda: setattr(x, 'grad', x.grad + out.grad / math.cosh(x.data)**2)
    return out

def linear1_sign_flipped(xb, weights, upstream): return upstream @ weights.T, -(xb.T @ upstream), upstream.sum(0)
def linear1_without_upstream(xb, weights, upstream):
    ones = torch.ones_like(upstream)
    return upstream @ weights.T, xb.T @ ones, ones.sum(0)
def linear1_averaged(xb, weights, upstream): return upstream @ weights.T, xb.T @ upstream / len(xb), upstream.mean(0)
def linear1_bias_not_added_up(xb, weights, upstream): return upstream @ weights.T, xb.T @ upstream, upstream
def linear1_no_transpose(xb, weights, upstream): return upstream @ weights, xb.T @ upstream, upstream.sum(0)
def linear1_two_gradients(xb, weights, upstream): return xb.T @ upstream, upstream.sum(0)
def linear1_in_place(xb, weights, upstream):
    upstream /= len(xb)
    return upstream @ weights.T, xb.T @ upstream, upstream.sum(0)
def linear1_nan(xb, weights, upstream): return upstream @ weights.T, xb.T @ upstream * float('nan'), upstream.sum(0)
def linear1_raises(xb, weights, upstream): raise ValueError("something inside went wrong")
def linear1_hangs(xb, weights, upstream):
    while True: pass
def linear1_with_einsum_float64(xb, weights, upstream):
    "Right, written differently: einsum, in 64-bit floats, returned as a list."
    xb, weights, upstream = xb.double(), weights.double(), upstream.double()
    return [torch.einsum('no,io->ni', upstream, weights), torch.einsum('ni,no->io', xb, upstream), torch.einsum('no->o', upstream)]

WRONG = [
    (check_tanh, tanh_sign_flipped, 'the gradient has the wrong sign'),
    (check_tanh, tanh_without_upstream, 'multiply the local derivative by out.grad'),
    (check_tanh, tanh_overwrites, "add to x.grad with +=, don't overwrite it with ="),
    (check_tanh, tanh_overwrites_without_upstream, 'two slips: add to x.grad with += instead of overwriting it'),
    (check_tanh, tanh_input_squared, 'not 1 - x²'),
    (check_tanh, tanh_forgets_pass_back, 'no gradient reached x: define pass_back()'),
    (check_tanh, tanh_without_parents, "the result's parents do not include x"),
    (check_tanh, tanh_of_the_value, 'x is a Value: take its number with x.data'),
    (check_tanh, tanh_as_float, 'expected a Value, got float'),
    (check_tanh, tanh_with_torch, 'use math.tanh(x.data) for the number'),
    (check_tanh, tanh_in_place, 'it returned x itself'),
    (check_tanh, tanh_changes_x, 'it changed x.data'),
    (check_tanh, tanh_nan, 'got NaN (not a number) for the value'),
    (check_tanh, tanh_nan_gradient, 'got NaN (not a number) for the gradient'),
    (check_tanh, tanh_raising_in_pass_back, 'calling it raised ValueError: oops in pass_back'),
    (check_tanh, tanh_hangs_in_pass_back, 'it was still running after 0.5 s'),
    (check_linear1_backward, linear1_sign_flipped, 'the sign is flipped'),
    (check_linear1_backward, linear1_without_upstream, 'multiply by the upstream gradient'),
    (check_linear1_backward, linear1_averaged, "add up over the batch, don't average"),
    (check_linear1_backward, linear1_bias_not_added_up, 'a bias is shared by every picture of the batch'),
    (check_linear1_backward, linear1_no_transpose, 'mat1 and mat2 shapes cannot be multiplied'),
    (check_linear1_backward, linear1_two_gradients, 'expected three gradients (for xb, weights and bias), got 2 values'),
    (check_linear1_backward, linear1_in_place, 'your function changed its input `upstream`'),
    (check_linear1_backward, linear1_nan, 'values are NaN (not a number)'),
    (check_linear1_backward, linear1_raises, 'calling it raised ValueError: something inside went wrong'),
    (check_linear1_backward, linear1_hangs, 'it was still running after 0.5 s'),
]
# findings of the chapter 7 review: broken grads, pass_back called or ineffective, engine-built tanh, other batch sizes
def tanh_grad_becomes_a_value(x):
    out = Value(math.tanh(x.data), parents=(x,), op='tanh')
    def pass_back(): x.grad += (1 - out**2) * out.grad   # out, the Value, instead of t
    out.pass_back = pass_back
    return out
tanh_grad_becomes_none = _tanh_with(lambda x, t, out: _set(x, None))
def tanh_calls_pass_back(x):
    t = math.tanh(x.data)
    out = Value(t, parents=(x,), op='tanh')
    def pass_back(): x.grad += (1 - t**2) * out.grad
    out.pass_back = pass_back()
    return out
def tanh_calls_backward(x):
    t = math.tanh(x.data)
    out = Value(t, parents=(x,), op='tanh')
    def pass_back(): x.grad += (1 - t**2) * out.grad
    out.pass_back = pass_back
    out.backward()
    return out
def tanh_captures_out_grad_too_early(x):
    t = math.tanh(x.data)
    out = Value(t, parents=(x,), op='tanh')
    upstream = out.grad   # 0 when the forward pass runs
    def pass_back(): x.grad += (1 - t**2) * upstream
    out.pass_back = pass_back
    return out
tanh_returns_the_gradient = _tanh_with(lambda x, t, out: (1 - t**2) * out.grad)
tanh_changes_x_data_in_pass_back = _tanh_with(lambda x, t, out: setattr(x, 'data', x.data + (1 - t**2) * out.grad))
def tanh_without_the_comma(x): return Value(math.tanh(x.data), parents=(x), op='tanh')
tanh_float32_wrong = _tanh_with(lambda x, t, out: _set(x, np.float32(x.grad + 2 * (1 - t**2) * out.grad)))
def linear1_times_64(xb, weights, upstream): return upstream @ weights.T, xb.T @ upstream, upstream.mean(0) * 64
def linear1_ones_64(xb, weights, upstream): return upstream @ weights.T, xb.T @ upstream, upstream.T @ torch.ones(64)
def linear1_keepdim(xb, weights, upstream): return upstream @ weights.T, xb.T @ upstream, upstream.sum(0, keepdim=True)
def linear1_xb_divided(xb, weights, upstream): return upstream @ weights.T / len(xb), xb.T @ upstream, upstream.sum(0)
def linear1_half(xb, weights, upstream): return (upstream @ weights.T).half(), xb.T @ upstream, upstream.sum(0)
def linear1_wrong_order(xb, weights, upstream): return xb.T @ upstream, upstream @ weights.T, upstream.sum(0)

WRONG += [
    (check_tanh, tanh_grad_becomes_a_value, 'x.grad became a Value: add a plain number to it, using t (the float) and not out'),
    (check_tanh, tanh_grad_becomes_none, 'x.grad became None'),
    (check_tanh, tanh_calls_pass_back, 'set out.pass_back = pass_back, without the ()'),
    (check_tanh, tanh_calls_backward, 'did it call backward() itself?'),
    (check_tanh, tanh_captures_out_grad_too_early, 'pass_back ran but x.grad did not change: add to x.grad, using out.grad as it is'),
    (check_tanh, tanh_returns_the_gradient, 'pass_back ran but x.grad did not change'),
    (check_tanh, tanh_changes_x_data_in_pass_back, 'pass_back ran but x.grad did not change'),
    (check_tanh, tanh_without_the_comma, 'write parents=(x,) with a comma'),
    (check_tanh, tanh_float32_wrong, '(a float32: plain floats are enough)'),
    (check_linear1_backward, linear1_times_64, 'a batch is not always 64 pictures'),
    (check_linear1_backward, linear1_ones_64, '37 other pictures (a batch is not always 64)'),
    (check_linear1_backward, linear1_keepdim, 'without keepdim=True'),
    (check_linear1_backward, linear1_xb_divided, "don't divide by the batch size: each picture's input gradient is its own"),
    (check_linear1_backward, linear1_half, 'expected float32 numbers, got torch.float16'),
    (check_linear1_backward, linear1_wrong_order, 'wrong order? expected (xb, weights, bias)'),
]
def tanh_from_sigmoid(x): return 2*(2*x).sigmoid() - 1
def tanh_from_exp(x):
    e = (2*x).exp()
    return (e - 1)/(e + 1)
tanh_numpy_float32 = _tanh_with(lambda x, t, out: _set(x, np.float32(x.grad + (1 - t**2) * out.grad)))
tanh_tensor_float64 = _tanh_with(lambda x, t, out: _set(x, torch.tensor(x.grad + (1 - t**2) * out.grad, dtype=torch.float64)))
tanh_tensor_float32 = _tanh_with(lambda x, t, out: _set(x, torch.tensor(x.grad + (1 - t**2) * out.grad)))

RIGHT = [(check_tanh, tanh_with_exp_and_cosh), (check_linear1_backward, linear1_with_einsum_float64), (check_tanh, tanh_from_sigmoid),
         (check_tanh, tanh_from_exp), (check_tanh, tanh_numpy_float32), (check_tanh, tanh_tensor_float64), (check_tanh, tanh_tensor_float32)]

def course_data() -> str:
    "A fingerprint of the digits the checkers read."
    path = mnist_path()
    return hashlib.sha1(b''.join(digit_pixels(path, d, s).numpy().tobytes() for d in (3, 7) for s in ('training', 'testing'))).hexdigest()

@pytest.mark.parametrize('checker, solution, words', WRONG, ids=[f"{c.__name__}-{s.__name__}" for c, s, _ in WRONG])
def test_wrong_solution_gets_its_hint_and_leaves_the_data_alone(checker, solution, words):
    before = course_data()
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); report = checker(solution)
    assert not report.passed and words in repr(report), repr(report)
    assert course_data() == before

@pytest.mark.parametrize('checker, solution', RIGHT, ids=[f"{c.__name__}-{s.__name__}" for c, s in RIGHT])
def test_right_solution_written_differently_passes(checker, solution):
    report = checker(solution)
    assert report.passed, repr(report)

def test_each_checker_names_at_least_three_slips_and_knows_unwritten_code():
    for checker in (check_tanh, check_linear1_backward):
        assert sum(c is checker for c, _, _ in WRONG) >= 3
        def unwritten(*args): raise NotImplementedError
        report = checker(unwritten)
        assert not report.passed and repr(report).count('not written yet') == 1, repr(report)

def test_the_checkers_own_slips_are_the_ones_named():
    for slip, words in [('sign', 'wrong sign'), ('no upstream', 'multiply the local derivative'), ('overwrite', "don't overwrite"),
                        ('input', 'not 1 - x²'), ('no pass_back', 'no gradient reached x'), ('overwrite, no upstream', 'two slips')]:
        assert words in repr(check_tanh(_tanh_slip(slip))), slip

def test_a_value_of_another_definition_of_the_class_is_named():
    "A learner who runs the cell defining Value again, or writes my_tanh with the notebook's own Value, is told why."
    namespace = {}
    exec("class Value:\n    def __init__(self, data, parents=(), op=''): self.data, self.parents, self.grad, self.op = data, parents, 0., op", namespace)
    NotebookValue = namespace['Value']
    def tanh_with_the_notebooks_value(x): return NotebookValue(math.tanh(x.data), parents=(x,), op='tanh')
    assert "from neuralnets101.backprop import Value" in repr(check_tanh(tanh_with_the_notebooks_value))
    with pytest.raises(TypeError, match="another definition of the class"): Value(1., parents=(NotebookValue(2.),))

def test_a_broken_value_still_shows_itself():
    "repr never raises, whatever a learner's pass_back left in grad or data."
    for grad in (Value(1.), None, torch.ones(3)):
        v = Value(1.); v.grad = grad
        assert repr(v).startswith('Value(1, grad=')
    v = Value(1.); v.data = 'abc'
    assert repr(v) == "Value('abc', grad=0)"

def test_parents_without_the_comma_or_none_get_a_clear_error():
    x = Value(1.)
    with pytest.raises(TypeError, match=r"write parents=\(x,\) with a comma"): Value(2., parents=(x))
    with pytest.raises(TypeError, match="parents must be a tuple of Values"): Value(2., parents=None)

def test_backward_names_a_pass_back_that_was_called_instead_of_set():
    x = Value(1.)
    out = Value(2., parents=(x,), op='f')
    out.pass_back = None
    with pytest.raises(TypeError, match="without the \\(\\) that would call it"): out.backward()

def test_division_by_a_tiny_number_and_overflowing_powers_give_infinities_like_pytorch():
    a, b = Value(1.), Value(1e-200)
    q = a / b
    q.backward()
    assert q.data == 1e200 and b.grad == -math.inf == torch.tensor(1e-200, dtype=torch.float64).reciprocal().neg().mul(1e200).item()
    for x, n in [(1e200, 2), (2., 2000), (1e-320, -1), (-1e200, 3)]:
        expected = torch.tensor(x, dtype=torch.float64) ** n
        assert (Value(x) ** n).data == expected.item(), (x, n)
    assert (Value(1e200) * Value(1e200)).data == math.inf
    with pytest.raises(OverflowError, match="a float can hold"): Value(10**400)
