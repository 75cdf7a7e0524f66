"Chapter 2's learning-rate explorer, moved from code as a drag would move it (the widget machinery is tested in nbs/82_widgets.ipynb)."
from fastcore.test import test_close as close_to, test_eq as equal_to
from neuralnets101.gradients import descent_explorer, descent_path

def bowl(x): return x**2

def test_descent_explorer_says_what_each_rate_does():
    explorer = descent_explorer()
    for lr, words in [(0.01, 'most of the loss is left'), (0.3, 'the loss is all but gone'), (0.9, 'closing in'), (1.5, 'overshot')]:
        picture = explorer.image.value
        explorer.slider.value = lr
        equal_to(explorer.result[0], lr)
        close_to(explorer.result[1], descent_path(bowl, 4., lr))
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
