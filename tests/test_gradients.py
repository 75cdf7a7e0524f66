"Tests of chapter 2: slopes, descent paths and the words and pictures that describe them."
import math, re, torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from neuralnets101.gradients import (plot_function, derivative_at, plot_tangent, descent_path, crosses_minimum,
                                     descent_verdict, describe_descent, plot_descent,
                                     loss_left, how_much_left, percent)

def bowl(x): return x**2
def cubic(x): return x**3 - 2*x

def test_derivative_at():
    check_close(derivative_at(cubic, 1.5), 4.75)
    check_close(derivative_at(torch.sin, 0.), 1.)

def test_descent_path():
    check_close(descent_path(bowl, 4., lr=0.1, steps=5), 4*0.8**torch.arange(6.))
    check_close(descent_path(bowl, 4., lr=1.1, steps=3), 4*(-1.2)**torch.arange(4.))
    check_eq(len(descent_path(bowl, 4., lr=0.1, steps=0)), 1)
    check_fail(lambda: descent_path(bowl, 4., lr=0.1, steps=-1), contains='steps must be >= 0')
    assert len(descent_path(bowl, 4., lr=1e30, steps=10)) < 11   # stops once the path is no longer finite

def test_verdicts_follow_the_steps():
    verdicts = {lr: descent_verdict(bowl, descent_path(bowl, 4., lr)) for lr in (0.01, 0.3, 0.5, 0.56, 0.9, 1.0, 1.05, 1.5)}
    check_eq(verdicts, {0.01: 'descending', 0.3: 'descending', 0.5: 'descending', 0.56: 'bouncing', 0.9: 'bouncing',
                        1.0: 'oscillating', 1.05: 'diverging', 1.5: 'diverging'})
    assert crosses_minimum(descent_path(bowl, 4., 0.56)) and not crosses_minimum(descent_path(bowl, 4., 0.3))

def test_oscillating_without_closing_in_is_not_called_bouncing():
    path = descent_path(bowl, 4., 1.0)          # x flips 4, -4, 4, ...: the loss stays at 16
    check_eq(descent_verdict(bowl, path), 'oscillating')
    text = describe_descent(bowl, path, 1.0)
    assert 'none of the loss is gone' in text and 'without getting any closer' in text, text
    check_eq(descent_verdict(bowl, descent_path(bowl, 4., 0.99)), 'bouncing')   # the loss does fall, to 0.67 of the start

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
    fast = describe_descent(bowl, descent_path(bowl, 4., 0.56), 0.56)
    assert 'all but gone' in fast and 'smaller rate' not in fast and 'closing in' in fast, fast
    assert f(descent_path(bowl, 4., 0.56)[-1]) < 1e-12
    huge = describe_descent(bowl, descent_path(bowl, 4., 1e30), 1e30)
    assert 'the loss grew without bound' in huge and 'too large' in huge, huge
    check_eq(loss_left(bowl, descent_path(bowl, 4., 1e30)), math.inf)

def test_how_much_left_ranges_meet_without_a_gap():
    check_eq(how_much_left(0.4), 'about half of the loss is left: 40.0 % of the starting loss remains')
    check_eq(how_much_left(0.3999), 'most of the loss is gone: 40.0 % of the starting loss remains')
    check_eq(how_much_left(2.5), 'the loss grew to 2.5 times its start')
    check_eq(percent(0.482), '48.2 %'); check_eq(percent(5.2e-3), '0.52 %')

def f(x): return bowl(x).item()

def test_plot_tangent_does_not_squash_the_curve():
    ax = plot_tangent(cubic, 1.5)
    ys = cubic(torch.linspace(-2, 2, 200))
    low, high = ax.get_ylim()
    assert high - low < 1.3*(ys.max() - ys.min()).item(), (low, high)
    plt.close(ax.figure)

def test_plot_descent_survives_divergence():
    ax = plot_descent(bowl, descent_path(bowl, 4., 1e30), 1e30)
    assert 'diverging' in ax.get_title()
    plt.close(ax.figure)

def test_further_research_claim_about_a_curve_with_dips():
    "Chapter 2 warns that the verdict assumes one bowl: on x² + sin(5x) a path settling in a dip near 2 is called bouncing."
    dips = lambda x: x**2 + torch.sin(5*x)
    path = descent_path(dips, 4., 0.05)
    assert abs(path[-1] - 2) < 0.1 and abs(path[-1] - path[-2]) < 0.01, path
    check_eq(descent_verdict(dips, path), 'bouncing')
