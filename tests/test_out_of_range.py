"""Numbers out of their range get a clear error naming what was expected and what came, not a silent wrong result."""
import numpy as np
import pytest, torch
from torch import nn

def test_digit_reader_wants_pixels_in_0_1():
    from neuralnets101.draw import DigitReader
    reader = DigitReader(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)))
    assert reader(np.zeros((28, 28))).shape == (10,)
    with pytest.raises(ValueError, match=r'expected pixel values in \[0, 1\], got values from 0 to 255: divide 0-255 pixels by 255'):
        reader(np.arange(784).reshape(28, 28) % 256)
    nan = np.zeros((2, 28, 28)); nan[1, 3, 4] = np.nan
    with pytest.raises(ValueError, match=r'got NaN or infinity in 1 pixel'): reader(nan)
    with pytest.raises(ValueError, match=r'got values from -1 to -1$'): reader(-np.ones((28, 28)))

def test_get_dls_wants_one_label_per_input():
    from neuralnets101.sgd import get_dls
    x, y = torch.rand(20, 784), torch.ones(20, 1)
    with pytest.raises(ValueError, match='expected one label per training input, got 20 inputs and 10 labels'): get_dls(x, y[:10], x, y)
    with pytest.raises(ValueError, match='expected one label per validation input, got 5 inputs and 20 labels'): get_dls(x, y, x[:5], y)
    train, valid = get_dls(x, y, x, y, bs=8)
    assert len(train.dataset) == 20

def test_mnist_distance_refuses_bytes_mixed_with_floats():
    from neuralnets101.similarity import mnist_distance
    ideal = torch.rand(28, 28)
    with pytest.raises(TypeError, match=r'expected images as floats in \[0, 1\], got torch.uint8: convert 0-255 pixels with .float\(\)/255'):
        mnist_distance(torch.zeros(3, 28, 28, dtype=torch.uint8), ideal)
    with pytest.raises(TypeError, match='expected ideal as floats'): mnist_distance(torch.rand(28, 28), torch.zeros(28, 28, dtype=torch.uint8))

def test_mean_digit_of_nothing():
    from neuralnets101.similarity import mean_digit
    with pytest.raises(ValueError, match=r'expected at least one image, got an empty stack'): mean_digit(torch.zeros(0, 28, 28))

@pytest.mark.parametrize('max_shift', [-1, 1.5, True, '3'])
def test_random_shift_wants_a_whole_number_of_pixels(max_shift):
    from neuralnets101.faster import RandomShift
    with pytest.raises(ValueError, match=f"expected max_shift as a whole number of pixels, 0 or more, got {max_shift!r}"): RandomShift(max_shift)
    assert RandomShift(0).max_shift == 0

def test_as_ink_wants_bytes_or_unit_floats():
    from neuralnets101.handwriting import as_ink
    with pytest.raises(ValueError, match='expected integers from 0 to 255, got values from 0 to 1000'):
        as_ink(np.array([[0, 1000], [3, 4]]))
    with pytest.raises(ValueError, match='expected a 2-D image'): as_ink(1000)
    with pytest.raises(ValueError, match=r'expected floats in \[0, 1\], got values from 0 to 2'): as_ink(np.array([[0., 2.]]))
    assert as_ink(np.array([[0, 255]], dtype=np.uint8)).tolist() == [[0., 1.]]
