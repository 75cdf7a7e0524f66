"Chapter 2's learning-rate explorer, moved from code as a drag would move it (the widget machinery is tested in nbs/82_widgets.ipynb)."
from fastcore.test import test_close as close_to, test_eq as equal_to
from neuralnets101.gradients import descent_explorer, descent_path

def bowl(x): return x**2

def test_descent_explorer_says_what_each_rate_does():
    explorer = descent_explorer()
    for lr, verdict in [(0.01, 'crawling'), (0.3, 'converging'), (0.9, 'bouncing'), (1.5, 'diverging')]:
        picture = explorer.image.value
        explorer.slider.value = lr
        equal_to(explorer.result[0], lr)
        close_to(explorer.result[1], descent_path(bowl, 4., lr))
        assert explorer.text.startswith(f"learning rate {lr:.3g}:"), explorer.text
        assert f"; {verdict}:" in explorer.text, (lr, explorer.text)
        assert explorer.image.value != picture, f"the picture did not change for lr={lr}"
    assert 'too large' in explorer.text and 'grows' in explorer.text
    explorer.slider.value = 0.3
    assert abs(explorer.result[1][-1]) < 1e-3

def test_descent_explorer_on_another_function():
    explorer = descent_explorer(lambda x: (x - 1)**2, start=-2., steps=20, lr=0.4)
    assert abs(explorer.result[1][-1] - 1) < 1e-3, explorer.result
    assert '; converging:' in explorer.text or '; bouncing:' in explorer.text, explorer.text
