"Tests of chapter 2: slopes, descent paths and the words and pictures that describe them."
import math, torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from neuralnets101.gradients import (plot_function, derivative_at, plot_tangent, descent_path, crosses_minimum,
                                     descent_verdict, describe_descent, plot_descent)

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
    verdicts = {lr: descent_verdict(bowl, descent_path(bowl, 4., lr)) for lr in (0.01, 0.3, 0.5, 0.56, 0.9, 1.05, 1.5)}
    check_eq(verdicts, {0.01: 'crawling', 0.3: 'converging', 0.5: 'converging', 0.56: 'converging', 0.9: 'bouncing',
                       1.05: 'diverging', 1.5: 'diverging'})
    assert crosses_minimum(descent_path(bowl, 4., 0.56)) and not crosses_minimum(descent_path(bowl, 4., 0.3))

def test_oscillating_without_closing_in_is_not_called_bouncing():
    path = descent_path(bowl, 4., 1.0)          # x flips 4, -4, 4, ...: the loss stays at 16
    check_eq(descent_verdict(bowl, path), 'oscillating')
    text = describe_descent(bowl, path, 1.0)
    assert 'oscillating' in text and 'not falling' in text and 'closer' not in text.split(';')[2].split(',')[0], text
    check_eq(descent_verdict(bowl, descent_path(bowl, 4., 0.99)), 'bouncing')   # the loss does fall, to 0.67 of the start

def test_describe_descent_never_advises_against_what_happened():
    fast = describe_descent(bowl, descent_path(bowl, 4., 0.56), 0.56)
    assert 'converging' in fast and 'smaller rate' not in fast and 'crossing the minimum' in fast, fast
    assert f(descent_path(bowl, 4., 0.56)[-1]) < 1e-12
    slow = describe_descent(bowl, descent_path(bowl, 4., 0.9), 0.9)
    assert 'bouncing' in slow and 'smaller rate would settle faster' in slow, slow
    # and that advice is true: a somewhat smaller rate ends nearer the minimum
    assert bowl(descent_path(bowl, 4., 0.7)[-1]) < bowl(descent_path(bowl, 4., 0.9)[-1])
    huge = describe_descent(bowl, descent_path(bowl, 4., 1e30), 1e30)
    assert huge.split(';')[1].strip().startswith('diverging'), huge

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
