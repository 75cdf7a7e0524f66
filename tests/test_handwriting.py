"""Tests of chapter 6's MNIST-style preparation (neuralnets101.handwriting), headless, on real MNIST test digits (the
offline subset when there is no network) and chapter 5's model, trained for 3 epochs (`course_learner` in conftest.py).

Each test digit is scaled up ten times and put at a random place on a 280×280 canvas, as a learner might draw it on the
pad (`drawn_digits` in conftest.py); `mnist_style` must give the original back and the model must keep its accuracy."""
import numpy as np, pytest
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from neuralnets101.handwriting import course_model, mnist_style, crop_to_ink, on_canvas, centre_of_mass, fit_in_square, reading_accuracy
from neuralnets101.draw import DigitReader, downsample

def test_digits_are_off_centre(drawn_digits):
    "The stand-in drawings are ×10 and spread over the canvas, not centred like MNIST."
    centres = np.array([centre_of_mass(d) for d in drawn_digits['drawn']])
    assert centres.std(0).min() > 15, centres.std(0)                      # pixels of 280: spread out
    heights = [crop_to_ink(d).shape[0] for d in drawn_digits['drawn'][:50]]
    assert min(heights) > 100, heights                                      # about ten times MNIST's ≤ 20 pixels

def test_mnist_style_gives_back_the_originals(drawn_digits):
    restyled, images = drawn_digits['restyled'], drawn_digits['images']
    check_eq(restyled.shape, images.shape)
    assert restyled.min() >= 0 and restyled.max() <= 1
    difference = np.abs(restyled - images).mean((1, 2))
    assert difference.mean() < 0.03, difference.mean()                  # measured: 0.018 (pixels in [0, 1])
    correlation = np.array([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in zip(restyled, images)])
    assert np.median(correlation) > 0.98 and np.percentile(correlation, 10) > 0.95, np.percentile(correlation, [10, 50])
    centres = np.array([centre_of_mass(r) for r in restyled])
    assert np.abs(centres - 14).max() < 1, np.abs(centres - 14).max()  # centre of mass in the middle, as in MNIST

def test_model_keeps_its_accuracy(course_learner, drawn_digits):
    reader = DigitReader(course_learner)
    original = reading_accuracy(reader, drawn_digits['images'], drawn_digits['labels'])
    restyled = reading_accuracy(reader, drawn_digits['restyled'], drawn_digits['labels'])
    raw = reading_accuracy(reader, [downsample(d) for d in drawn_digits['drawn']], drawn_digits['labels'])
    print(f"accuracy: test digits {original:.1%}, drawn ×10 anywhere + mnist_style {restyled:.1%}, downsampled only {raw:.1%}")
    assert original > 0.9, original                  # offline subset: 96.1 %
    assert restyled >= 0.95 * original, (restyled, original)
    assert raw < restyled - 0.05, (raw, restyled)     # without the preparation the shift costs accuracy

def test_bad_input():
    check_fail(lambda: mnist_style(np.zeros((280, 280))), contains="expected some ink, got an empty picture: draw a digit first")
    check_fail(lambda: mnist_style(np.zeros((3, 28, 28))), contains="expected a 2-D image (height, width), got shape (3, 28, 28)")
    check_fail(lambda: mnist_style(np.full((28, 28), 2.0)), contains="expected floats in [0, 1], got values from 2 to 2")
    check_fail(lambda: on_canvas(np.ones((28, 28)), scale=10, top=5), contains="expected the 280×280 picture at (5, 0) to fit on a 280×280 canvas")
    check_eq(fit_in_square(np.ones((10, 40))).shape, (5, 20))    # proportions kept

def test_loaded_weights_and_plain_model_read_the_same(course_learner, drawn_digits, tmp_path):
    "Saved weights loaded back into a model built from code, and the bare `nn.Module` with the Learner's statistics, give the same probabilities."
    from neuralnets101.faster import save_final_model
    image = drawn_digits['restyled'][0]
    expected = DigitReader(course_learner)(image)
    loaded = course_model(weights=save_final_model(course_learner, tmp_path/'final_model.pth'))
    check_close(DigitReader(loaded)(image), expected, eps=1e-5)
    reader = DigitReader(course_learner)
    check_close(DigitReader(course_learner.model, mean=reader.mean, std=reader.std)(image), expected, eps=1e-5)
    assert not np.allclose(DigitReader(course_learner.model)(image), expected, atol=1e-3)   # without the statistics: different
