"Tests of chapter 2: slopes, descent paths, their verdicts and their pictures (the slider's words: tests/test_widgets.py)."
import math, re, torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from neuralnets101.gradients import (plot_function, derivative_at, plot_tangent, descent_path, crosses_minimum,
                                     descent_verdict, plot_descent, loss_left, percent)

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
    check_eq(loss_left(bowl, path), 1.)
    check_eq(descent_verdict(bowl, descent_path(bowl, 4., 0.99)), 'bouncing')   # the loss does fall, to 0.67 of the start

def test_percent():
    check_eq(percent(0.482), '48.2 %'); check_eq(percent(5.2e-3), '0.52 %'); check_eq(percent(6.1e-18), '6.1e-16 %')

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
