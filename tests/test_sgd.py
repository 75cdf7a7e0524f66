"""Tests of chapter 3 on real MNIST 3s and 7s (the offline subset without a network; full MNIST with
NEURALNETS101_MNIST and FASTAI_HOME set): the functions it exports and the claims its prose makes."""
import math, re
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pytest, torch
from torch import nn, tensor
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from fastai.torch_core import set_seed
from neuralnets101.data import mnist_path, digit_stack
from neuralnets101.sgd import *
from neuralnets101.bench import lr_sweep, sweep_gaps

@pytest.fixture(scope='module')
def data():
    path = mnist_path()
    return (*inputs_and_labels(digit_stack(path, 3), digit_stack(path, 7)),
            *inputs_and_labels(digit_stack(path, 3, 'testing'), digit_stack(path, 7, 'testing')))

def full_mnist(data): return len(data[0]) > 5000

def final_accuracy(data, make_model, lr, epochs, seed=42):
    "Chapter 3's recipe: set_seed, fresh DataLoaders, a fresh model, BasicOptim."
    set_seed(seed)
    train_dl, valid_dl = get_dls(*data)
    model, params = make_model()
    return train_model(model, train_dl, valid_dl, BasicOptim(params, lr), epochs, show_progress=False).valid_accuracy[-1]

def make_linear1(std=0.01):
    def make():
        weights, bias = init_params((28*28, 1), std), init_params(1, std)
        return (lambda xb: linear1(xb, weights, bias)), [weights, bias]
    return make
def make_nn_linear():
    model = nn.Linear(28*28, 1); return model, list(model.parameters())
def make_simple_net():
    net = simple_net(); return net, list(net.parameters())

# --- the toy problem ---
def test_toy_problem_learns_with_lr_01_and_blows_up_with_lr_02():
    times, speeds = speed_data()
    torch.manual_seed(1); params = torch.randn(3).requires_grad_()
    losses = [apply_step(params, quadratic, times, speeds, lr=0.1) for _ in range(1001)]
    assert losses[-1] < 0.05*losses[0]
    assert all(later <= earlier + 1e-6 for earlier, later in zip(losses, losses[1:]))
    check_close(params.detach(), tensor([6., -14.4, 10.64]), eps=2)
    torch.manual_seed(1); params = torch.randn(3).requires_grad_()
    losses = [apply_step(params, quadratic, times, speeds, lr=0.2) for _ in range(400)]
    first_infinite = next(step for step, loss in enumerate(losses) if not math.isfinite(loss))
    assert 100 < first_infinite < 400 and losses[20] > 10*losses[0] and losses[100] > 1e9, (first_infinite, losses[20], losses[100])

# --- the functions, with their errors ---
def test_inputs_and_labels(data):
    train_x, train_y = data[:2]
    check_eq(train_x.shape, (len(train_y), 784)); check_eq(train_y.shape, (len(train_y), 1))
    check_eq(set(train_y.flatten().tolist()), {0., 1.})
    check_fail(lambda: inputs_and_labels(train_x, train_x), contains='expected a stack of shape (n, 28, 28), got')

def test_linear1_and_check_batch(data):
    weights, bias = init_params((28*28, 1)), init_params(1)
    check_eq(linear1(data[0][:7], weights, bias).shape, (7, 1))
    check_fail(lambda: linear1(data[0][:5].view(5, 28, 28), weights, bias), contains='expected a batch of shape (n, 784), got (5, 28, 28)')
    check_fail(lambda: calc_grad(data[0][:8], data[1][:3], lambda xb: linear1(xb, weights, bias)), contains='got 8 inputs and 3 targets')

def test_mnist_loss_and_batch_accuracy():
    scores, answers = tensor([3.0, -0.5, 0.2]), tensor([1, 0, 0])
    check_close(mnist_loss(scores, answers), ((1 - scores[0].sigmoid()) + scores[1].sigmoid() + scores[2].sigmoid())/3)
    check_fail(lambda: mnist_loss(scores, tensor([1, 0])), contains='same shape')
    check_fail(lambda: mnist_loss(scores.unsqueeze(1), answers), contains='would broadcast to (n, n)')
    check_close(batch_accuracy(tensor([[2.], [-1.], [0.5], [-3.]]), tensor([[1], [1], [0], [0]])), 0.5)
    check_fail(lambda: batch_accuracy(tensor([[2.], [-1.]]), tensor([1, 1])), contains='same shape')

def test_get_dls(data):
    train_dl, valid_dl = get_dls(*data, bs=64)
    xb, yb = train_dl.one_batch()
    check_eq((xb.shape, yb.shape), ((64, 784), (64, 1)))
    check_eq(sum(len(xb) for xb, _ in valid_dl), len(data[2]))
    first, again = next(iter(valid_dl))[0], next(iter(valid_dl))[0]
    check_eq(first, again)   # validation batches come in order

def test_train_model_errors(data):
    train_dl, valid_dl = get_dls(*data)
    model, params = make_linear1()()
    check_fail(lambda: train_model(model, train_dl, valid_dl, BasicOptim(params, 1.), epochs=0), contains='epochs must be at least 1, got 0')
    check_fail(lambda: train_model(model, train_dl, valid_dl, BasicOptim(params, 1e40), epochs=2, show_progress=False),
               contains='training diverged at learning rate 1e+40')

# --- the claims of the prose ---
def test_accuracy_does_not_move_when_a_weight_that_matters_moves(data):
    train_x, train_y = data[:2]
    busiest = train_x.mean(0).argmax().item()
    assert (train_x[:, busiest] > 0).float().mean() > 0.5
    torch.manual_seed(42)
    weights, bias = init_params((28*28, 1)), init_params(1)
    accuracy = lambda: ((linear1(train_x, weights, bias) > 0).float() == train_y).float().mean().item()
    scores, before = linear1(train_x, weights, bias), accuracy()
    with torch.no_grad(): weights[busiest] += 1e-6
    assert (linear1(train_x, weights, bias) != scores).float().mean() > 0.5
    check_eq(accuracy(), before)

def test_std_1_saturates_the_sigmoid_and_std_001_does_not(data):
    torch.manual_seed(42)
    saturated = lambda std: ((linear1(data[0], init_params((784, 1), std), init_params(1, std)).sigmoid() - 0.5).abs() > 0.49).float().mean()
    assert saturated(1.) > 0.5 and saturated(0.01) == 0

def test_linear1_and_nn_linear_agree_and_std_1_falls_behind(data):
    linear_acc = final_accuracy(data, make_linear1(), 1., 20)
    nn_linear_acc = final_accuracy(data, make_nn_linear, 1., 20)
    assert round(abs(linear_acc - nn_linear_acc), 4) <= 0.005, (linear_acc, nn_linear_acc)
    assert linear_acc > 0.95
    assert final_accuracy(data, make_linear1(1.), 1., 20) < min(linear_acc, nn_linear_acc), "std 1 should end behind"

def test_hidden_layer(data):
    net_acc = final_accuracy(data, make_simple_net, 2., 40)
    assert net_acc > 0.95
    if full_mnist(data): assert net_acc > final_accuracy(data, make_nn_linear, 1., 20) + 0.003

@pytest.fixture(scope='module')
def sweep(data): return lr_sweep(data)

def test_slider_ends_are_clearly_worse_than_its_best(sweep):
    gaps = sweep_gaps(sweep)
    assert gaps['smallest'] >= 3 and gaps['largest'] >= 3, (gaps, sweep)
    check_eq([run['lr'] for run in sweep], list(SLIDER_RATES))

def test_slider_verdicts_follow_what_happened(data):
    smallest, largest, good = (retrain(*data, lr, 5) for lr in (SLIDER_RATES[0], SLIDER_RATES[-1], 1.))
    check_eq([sgd_verdict(run) for run in (smallest, largest, good)], ['too small', 'too large', 'learning'])
    assert 'larger steps would get further in 5 epochs' in describe_sgd_run(smallest)
    assert 'the rate is too large' in describe_sgd_run(largest) and 'the sigmoid ends saturated for 100% of the pictures' in describe_sgd_run(largest)
    titles = []
    for run in (smallest, largest):   # a crawling run and a saturated run both draw flat lines: the title tells them apart
        fig = plot_sgd_run(run); titles.append((fig._suptitle.get_text(), fig._suptitle.get_color())); plt.close(fig)
    check_eq(titles, [('learning rate 0.000100, 5 epochs: too small, almost all of the loss is left', 'tab:blue'),
                      ('learning rate 1.00e+3, 5 epochs: too large, almost all of the loss is left', 'tab:orange')])
    assert good.history.valid_accuracy[-1] > 0.95
    diverged = SgdRun(1e40, 2, error='training diverged at learning rate 1e+40: the loss became nan; try a smaller learning rate')
    check_eq(sgd_verdict(diverged), 'diverged')
    assert describe_sgd_run(diverged).startswith('learning rate 1.00e+40: training diverged')
    plt.close(plot_sgd_run(diverged))

def test_one_epoch_is_singular(data):
    text = describe_sgd_run(retrain(*data, 1., 1))
    assert text.startswith('learning rate 1.00: 1 epoch, training loss'), text
    check_eq([epochs_text(n) for n in (1, 2, 20)], ['1 epoch', '2 epochs', '20 epochs'])

def independent_run(data, lr, epochs, seed=42, bs=64):
    "Chapter 3's retraining redone here by hand (same seed, batches and model): start loss, loss after each epoch, saturation."
    train_x, train_y, valid_x, valid_y = data
    set_seed(seed)
    train_dl, _ = get_dls(*data, bs)
    net = simple_net()
    with torch.no_grad(): start = mnist_loss(net(train_x), train_y).item()
    losses = []
    for _ in range(epochs):
        total = 0.
        for xb, yb in train_dl:
            loss = mnist_loss(net(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in net.parameters(): p -= p.grad * lr; p.grad = None
            total += loss.item() * len(xb)
        losses.append(total / len(train_x))
    with torch.no_grad(): saturated = ((net(valid_x).sigmoid() - 0.5).abs() > 0.49).float().mean().item()
    return start, losses, saturated

LEFT_WORDS = {'almost all of the loss is gone': (1e-3, 0.1), 'most of the loss is gone': (0.1, 0.4), 'about half of the loss is left': (0.4, 0.6),
              'most of the loss is left': (0.6, 0.9), 'almost all of the loss is left': (0.9, 1.0), 'the loss is all but gone': (0, 1e-3)}
SGD_SUMMARY = re.compile(r'^learning rate (?P<lr>\S+): (?P<epochs>\d+) epochs?, training loss (?P<start>[\d.]+) → (?P<end>[\d.]+) '
                         r'\((?P<words>[^:]+): (?P<share>[\d.e+-]+) % of the starting loss remains\), validation accuracy \S+ → \S+(?P<why>.*)$')

def test_every_slider_position_is_described_truly(data):
    "Every rate the slider can show (141, from 0.0001 to 1000): each number and each word the summary uses agrees with a retraining redone by hand."
    seen = set()
    for k in range(141):
        lr = 10**(-4 + 0.05*k)
        run = retrain(*data, lr, 5)
        text = describe_sgd_run(run)
        if run.error:                                   # diverged: the loss really stopped being finite
            start, losses, _ = independent_run(data, lr, 5)
            assert not all(math.isfinite(l) for l in losses), (lr, text)
            continue
        m = SGD_SUMMARY.match(text)
        assert m, text
        start, losses, saturated = independent_run(data, lr, 5)
        left = losses[-1] / start
        check_close(run.history.train_loss, losses, eps=1e-5)
        check_close(run.saturated, saturated, eps=1e-6)
        assert float(m['start']) == round(start, 3) and float(m['end']) == round(losses[-1], 3), (lr, text)
        assert abs(float(m['share'])/100 - left) < 1e-3, (lr, left, text)
        low, high = LEFT_WORDS[m['words']]
        assert low <= left < high, (lr, left, text)
        why = m['why']
        if 'too large' in why: assert left >= 0.6 and saturated >= 0.9, (lr, left, saturated, text)
        if 'larger steps would get further' in why: assert left >= 0.6 and saturated <= 0.1, (lr, left, saturated, text)
        if left >= 0.6 and (saturated >= 0.9 or saturated <= 0.1): assert why, (lr, text)   # a stuck run always says why
        seen.add(sgd_verdict(run))
    assert {'too small', 'learning', 'too large'} <= seen, seen

def test_the_too_small_and_too_large_advice_points_the_right_way(data):
    "Where the summary says a rate is too small, a larger rate leaves less loss; where it says too large, a smaller one does."
    rates = [10**(-4 + 0.25*k) for k in range(29)]
    runs = [retrain(*data, lr, 5) for lr in rates]
    left = [loss_fraction_left(run) for run in runs]
    best = min(range(len(runs)), key=left.__getitem__)
    for i, run in enumerate(runs):
        if sgd_verdict(run) == 'too small': assert i < best and min(left[i+1:]) < left[i], (rates[i], left)
        if sgd_verdict(run) == 'too large': assert i > best and min(left[:i]) < left[i], (rates[i], left)

def test_rates_are_written_like_the_slider_readout():
    check_eq([rate_text(lr) for lr in SLIDER_RATES], ['0.000100', '0.00100', '0.0100', '0.100', '1.00', '10.0', '100', '1.00e+3'])

def test_slider_axes_are_fixed(data):
    limits = []
    for lr in (1e-4, 1.):
        fig = plot_sgd_run(retrain(*data, lr, 2))
        limits.append([(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes])
        plt.close(fig)
    check_eq(limits[0], limits[1])
    check_eq(limits[0][0], ((0., 20.), (0., 1.)))

def test_explorer_retrains_the_same_way(data):
    explorer = sgd_explorer(*data)
    first = explorer.result.history.train_loss
    assert explorer.text.startswith('learning rate 1.00: 5 epochs') and 'of the loss is gone' in explorer.text, explorer.text
    explorer.controls[1].value = 2
    check_eq(len(explorer.result.history.train_loss), 2)
    check_close(explorer.result.history.train_loss, first[:2])
    explorer.slider.value = SLIDER_RATES[-1]
    assert 'too large' in explorer.text, explorer.text
    plt.close('all')

def test_explorer_trains_only_the_last_of_quick_presses_in_the_background(data):
    "Presses from the browser (applied with set_state, as ipywidgets does): a busy line at once, then only the last choice trained and shown."
    import time
    explorer = sgd_explorer(*data)
    start_picture = explorer.image.value
    for lr in (0.708, 0.501, 0.355): explorer.slider.set_state({'value': lr})
    busy = explorer.summary.value
    assert busy.startswith('<b>training at learning rate 0.355, epochs 5') and 'still shows learning rate 1, epochs 5' in busy, busy
    check_eq(explorer.progress.layout.display, None)
    deadline = time.monotonic() + 120
    while explorer._working and time.monotonic() < deadline: time.sleep(0.05)
    check_eq(explorer.computed, [(1.0, 5), (0.355, 5)])
    assert explorer.text.startswith('learning rate 0.355: 5 epochs'), explorer.text
    assert explorer.image.value != start_picture and explorer.progress.layout.display == 'none'
    progress = []
    run = retrain(*data, 1., 3, progress=lambda fraction, note: progress.append((round(fraction, 3), note)))
    check_eq(progress, [(0.333, 'epoch 1 of 3'), (0.667, 'epoch 2 of 3'), (1.0, 'epoch 3 of 3')])
    plt.close('all')
