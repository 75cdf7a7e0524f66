"""Tests of the sliders (neuralnets101.widgets): chapter 2's descent explorer and the words it uses, checked against the
bowl x² redone by hand; chapter 3's retraining explorer, its verdicts and its plots, on real MNIST 3s and 7s, checked against
a retraining redone by hand. The explorer's own machinery is tested in nbs/82_widgets.ipynb."""
import math, re, time
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pytest, torch
from fastcore.test import test_eq as check_eq, test_close as check_close
from fastai.torch_core import set_seed
from neuralnets101.data import mnist_path, digit_stack
from neuralnets101.gradients import descent_path, loss_left
from neuralnets101.sgd import inputs_and_labels, get_dls, simple_net, mnist_loss
from neuralnets101.bench import lr_sweep, sweep_gaps
from neuralnets101.widgets import *

def bowl(x): return x**2

@pytest.fixture(scope='module')
def data():
    path = mnist_path()
    return (*inputs_and_labels(digit_stack(path, 3), digit_stack(path, 7)),
            *inputs_and_labels(digit_stack(path, 3, 'testing'), digit_stack(path, 7, 'testing')))

def test_descent_explorer_says_what_each_rate_does():
    explorer = descent_explorer()
    for lr, words in [(0.01, 'most of the loss is left'), (0.3, 'the loss is all but gone'), (0.9, 'closing in'), (1.5, 'overshot')]:
        picture = explorer.image.value
        explorer.slider.value = lr
        check_eq(explorer.result[0], lr)
        check_close(explorer.result[1], descent_path(bowl, 4., lr))
        assert explorer.text.startswith(f"learning rate {lr:.3g}:"), explorer.text
        assert words in explorer.text, (lr, explorer.text)
        assert explorer.image.value != picture, f"the picture did not change for lr={lr}"
    assert 'too large' in explorer.text and 'the loss grew' in explorer.text
    explorer.slider.value = 0.3
    assert abs(explorer.result[1][-1]) < 1e-3

def test_descent_explorer_on_another_function():
    explorer = descent_explorer(lambda x: (x - 1)**2, start=-2., steps=20, lr=0.4)
    assert abs(explorer.result[1][-1] - 1) < 1e-3, explorer.result
    assert 'the loss is all but gone' in explorer.text, explorer.text

# What each phrase promises about the fraction of the starting loss that remains: (low, high), low inclusive
PROMISES = {'the loss is all but gone': (0, 1e-3), 'almost all of the loss is gone': (1e-3, 0.1), 'most of the loss is gone': (0.1, 0.4),
            'about half of the loss is left': (0.4, 0.6), 'most of the loss is left': (0.6, 0.9), 'almost all of the loss is left': (0.9, 1.0)}
SUMMARY = re.compile(r'^learning rate (?P<lr>[\d.e+-]+): after 10 steps x = (?P<x>[-\d.e+]+) \(loss 16 → (?P<last>[-\d.e+]+|inf|nan)\); '
                     r'(?P<words>[^:;]+?)(: (?P<share>[\d.e+-]+) % of the starting loss remains)?; (?P<steps>.+)$')

def check_summary_against_the_bowl(text:str, lr:float):
    "Recompute the descent on x² independently (x_n = 4·(1 - 2·lr)^n, in float64) and check every claim `text` makes."
    m = SUMMARY.match(text)
    assert m, text
    r = 1 - 2*lr
    left = r**20                          # (x_10 / x_0)², the fraction of the loss that remains
    words, steps = m['words'], m['steps']
    if abs(r) > 1:                        # the loss grew: the only case where the summary may call the steps diverging
        assert words.startswith('the loss grew'), (lr, text)
        assert steps == 'the steps overshot further and further: the rate is too large', (lr, text)
        return
    assert 'grew' not in words and 'diverging' not in text and 'too large' not in text, (lr, text)
    share = float(m['share']) / 100
    assert math.isclose(share, left, rel_tol=2e-3, abs_tol=1e-9) or abs(share - left) < 6e-4, (lr, left, text)   # the number is the measured one, as rounded
    if r == -1: assert words == 'none of the loss is gone', (lr, text)
    else:
        low, high = PROMISES[words]
        assert low * (1 - 1e-4) <= left < high * (1 + 1e-4), (lr, left, text)   # the words hold for the measured fraction
    if r >= 0: assert steps.startswith('the steps went straight down'), (lr, text)
    elif r > -1: assert steps == 'the steps jumped back and forth across the minimum, closing in', (lr, text)
    else: assert 'without getting any closer' in steps, (lr, text)

def test_every_summary_agrees_with_the_measured_loss_and_steps():
    "400 rates across the explorer's range (0.001 to 2), and every rate the slider can show."
    slider_rates = [10**(-3 + 0.05*k) for k in range(67)] + [1.0]
    for lr in [*torch.logspace(-3, math.log10(2), 400).tolist(), *slider_rates]:
        check_summary_against_the_bowl(describe_descent(bowl, descent_path(bowl, 4., lr), lr), lr)

def test_one_slider_step_never_flips_the_meaning():
    "Neighbouring slider positions give neighbouring phrases: never 'most of it left' next to 'all but gone'."
    order = list(PROMISES)
    rates = [10**(-3 + 0.05*k) for k in range(67)]
    phrases = [SUMMARY.match(describe_descent(bowl, descent_path(bowl, 4., lr), lr))['words'] for lr in rates]
    for (a, pa), (b, pb) in zip(zip(rates, phrases), zip(rates[1:], phrases[1:])):
        if pa in order and pb in order: assert abs(order.index(pa) - order.index(pb)) <= 1, (a, pa, b, pb)

def test_the_summaries_of_the_issue_rates_are_true():
    for lr, words in [(0.016, 'about half of the loss is left'), (0.018, 'about half of the loss is left'),
                      (0.0447, 'most of the loss is gone'), (0.01, 'most of the loss is left')]:
        text = describe_descent(bowl, descent_path(bowl, 4., lr), lr)
        assert f"; {words}: " in text and 'straight down' in text, text

def test_describe_descent_never_advises_against_what_happened():
    flip = describe_descent(bowl, descent_path(bowl, 4., 1.0), 1.0)   # x flips 4, -4, 4, ...: the loss stays at 16
    assert 'none of the loss is gone' in flip and 'without getting any closer' in flip, flip
    fast = describe_descent(bowl, descent_path(bowl, 4., 0.56), 0.56)
    assert 'all but gone' in fast and 'smaller rate' not in fast and 'closing in' in fast, fast
    assert bowl(descent_path(bowl, 4., 0.56)[-1]).item() < 1e-12
    huge = describe_descent(bowl, descent_path(bowl, 4., 1e30), 1e30)
    assert 'the loss grew without bound' in huge and 'too large' in huge, huge
    check_eq(loss_left(bowl, descent_path(bowl, 4., 1e30)), math.inf)

def test_how_much_left_ranges_meet_without_a_gap():
    check_eq(how_much_left(0.4), 'about half of the loss is left: 40.0 % of the starting loss remains')
    check_eq(how_much_left(0.3999), 'most of the loss is gone: 40.0 % of the starting loss remains')
    check_eq(how_much_left(2.5), 'the loss grew to 2.5 times its start')
    check_eq(how_much_left(math.inf), 'the loss grew without bound')

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
