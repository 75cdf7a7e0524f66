"The lesson module neuralnets101.data: its pictures, and the names other chapters import from it."
import matplotlib
matplotlib.use('Agg')
import numpy as np
import torch

from neuralnets101 import data, mnist
from neuralnets101.data import mnist_path, digit_stack, show_digits, show_pixels

def test_other_chapters_imports_keep_working():
    assert data.mnist_path is mnist.mnist_path and data.digit_stack is mnist.digit_stack

def test_show_pixels_writes_every_value_of_the_window():
    image = np.arange(28*28, dtype=np.int64).reshape(28, 28) % 256
    ax = show_pixels(image, rows=slice(3, 6), cols=slice(10, 14))
    assert [t.get_text() for t in ax.texts] == [str(v) for v in image[3:6, 10:14].flatten()]

def test_show_pixels_of_a_real_digit_in_floats():
    three = digit_stack(mnist_path(), 3, 'testing')[0]
    ax = show_pixels(three, rows=slice(10, 12), cols=slice(0, 28))
    assert len(ax.texts) == 56 and {t.get_text() for t in ax.texts} <= {f'{v/10:.1f}' for v in range(11)}
    assert '0.0' in {t.get_text() for t in ax.texts}

def test_show_digits_draws_one_picture_per_image_with_titles():
    sevens = digit_stack(mnist_path(), 7, 'testing')[:10]
    fig = show_digits(sevens, titles=range(10), ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12 and len(drawn) == 10
    assert [ax.get_title() for ax in drawn] == [str(i) for i in range(10)]
    assert np.allclose(drawn[3].images[0].get_array(), sevens[3].numpy())
