"""Tests of chapter 6's MNIST-style preparation and of `DigitPad` with a trained model, headless, on real MNIST test
digits (the offline subset when there is no network).

Each test digit is scaled up ten times and put at a random place on the pad's 280×280 canvas, as a learner might
draw it; `mnist_style` must give the original back and the model must keep its accuracy."""
import numpy as np, pytest, torch
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from neuralnets101.handwriting import (course_model, mnist_style, crop_to_ink, on_canvas, somewhere_on_canvas,
                                       centre_of_mass, fit_in_square, reading_accuracy)
from neuralnets101.data import mnist_path, digit_stack
from neuralnets101.draw import DigitPad, DigitReader, downsample, EMPTY_MESSAGE, TOO_SMALL_MESSAGE
from fastai.torch_core import set_seed

@pytest.fixture(scope='module')
def learn():
    "Chapter 4's CNN, trained for 3 epochs as in the chapter."
    set_seed(42, reproducible=True)
    learn = course_model(weights='no-such-file.pth')
    learn.recorder.silent = True
    return learn

@pytest.fixture(scope='module')
def test_digits():
    path = mnist_path()
    stacks = [digit_stack(path, d, 'testing') for d in range(10)]
    sample = np.random.default_rng(0).permutation(sum(map(len, stacks)))[:1000]
    images = torch.cat(stacks).numpy()[sample]
    labels = np.concatenate([np.full(len(stack), d) for d, stack in enumerate(stacks)])[sample]
    rng = np.random.default_rng(1)
    drawn = [somewhere_on_canvas(image, rng, scale=10) for image in images]
    return dict(images=images, labels=labels, drawn=drawn, restyled=np.stack([mnist_style(d) for d in drawn]))

def test_digits_are_off_centre(test_digits):
    "The stand-in drawings are ×10 and spread over the canvas, not centred like MNIST."
    centres = np.array([centre_of_mass(d) for d in test_digits['drawn']])
    assert centres.std(0).min() > 15, centres.std(0)                      # pixels of 280: spread out
    heights = [crop_to_ink(d).shape[0] for d in test_digits['drawn'][:50]]
    assert min(heights) > 100, heights                                      # about ten times MNIST's ≤ 20 pixels

def test_mnist_style_gives_back_the_originals(test_digits):
    restyled, images = test_digits['restyled'], test_digits['images']
    check_eq(restyled.shape, images.shape)
    assert restyled.min() >= 0 and restyled.max() <= 1
    difference = np.abs(restyled - images).mean((1, 2))
    assert difference.mean() < 0.03, difference.mean()                  # measured: 0.018 (pixels in [0, 1])
    correlation = np.array([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in zip(restyled, images)])
    assert np.median(correlation) > 0.98 and np.percentile(correlation, 10) > 0.95, np.percentile(correlation, [10, 50])
    centres = np.array([centre_of_mass(r) for r in restyled])
    assert np.abs(centres - 14).max() < 1, np.abs(centres - 14).max()  # centre of mass in the middle, as in MNIST

def test_model_keeps_its_accuracy(learn, test_digits):
    reader = DigitReader(learn)
    original = reading_accuracy(reader, test_digits['images'], test_digits['labels'])
    restyled = reading_accuracy(reader, test_digits['restyled'], test_digits['labels'])
    raw = reading_accuracy(reader, [downsample(d) for d in test_digits['drawn']], test_digits['labels'])
    print(f"accuracy: test digits {original:.1%}, drawn ×10 anywhere + mnist_style {restyled:.1%}, downsampled only {raw:.1%}")
    assert original > 0.9, original                  # offline subset: 96.1 %
    assert restyled >= 0.95 * original, (restyled, original)
    assert raw < restyled - 0.05, (raw, restyled)     # without the preparation the shift costs accuracy

def test_pad_reads_a_drawn_digit(learn, test_digits):
    pad = DigitPad(learn, prepare=mnist_style)
    check_eq(pad.answer, EMPTY_MESSAGE)
    right = 0
    for drawing, label in zip(test_digits['drawn'][:20], test_digits['labels'][:20]):
        pad.drawing = drawing
        check_close(sum(pad.probabilities), 1.0, eps=1e-5)
        check_eq(pad.answer, f"I read {'an' if pad.prediction == 8 else 'a'} {pad.prediction}")
        check_eq(np.frombuffer(pad.seen, np.uint8).reshape(28, 28), np.round(mnist_style(drawing) * 255).astype(np.uint8))
        right += pad.prediction == label
    assert right >= 17, right

def test_odd_drawings(learn):
    pad = DigitPad(learn, prepare=mnist_style)
    dot = np.zeros((280, 280), np.uint8); dot[140, 140] = 255
    click = np.zeros((280, 280), np.uint8); click[130:150, 130:150] = 255
    for drawing in (dot, click):                  # too small to be a digit: no answer, no bars
        pad.drawing = drawing
        check_eq((pad.answer, pad.prediction, pad.probabilities), (TOO_SMALL_MESSAGE, None, []))
    for drawing in (np.full((280, 280), 255, np.uint8), np.ones((280, 280), bool)):
        pad.drawing = drawing
        assert pad.prediction in range(10) and abs(sum(pad.probabilities) - 1) < 1e-5, pad.answer
    check_eq(mnist_style(dot).max(), 1.0)
    assert np.abs(np.array(centre_of_mass(mnist_style(dot))) - 14).max() < 0.51   # a 20×20 square: as central as pixels allow
    check_eq(mnist_style(np.full((280, 280), 255, np.uint8)).sum(), 400.0)   # a full canvas: a 20×20 square
    pad.clear()
    check_eq((pad.answer, pad.prediction, pad.probabilities), (EMPTY_MESSAGE, None, []))

def test_bad_input(learn):
    pad = DigitPad(learn, prepare=mnist_style)
    check_fail(lambda: setattr(pad, 'drawing', np.zeros((28, 28))), contains="expected a drawing of shape (280, 280), got (28, 28)")
    check_fail(lambda: setattr(pad, 'drawing', np.zeros((280, 280, 3))), contains="got (280, 280, 3)")
    check_fail(lambda: mnist_style(np.zeros((280, 280))), contains="expected some ink, got an empty picture: draw a digit first")
    check_fail(lambda: mnist_style(np.zeros((3, 28, 28))), contains="expected a 2-D image (height, width), got shape (3, 28, 28)")
    check_fail(lambda: mnist_style(np.full((28, 28), 2.0)), contains="expected floats in [0, 1], got values from 2 to 2")
    check_fail(lambda: on_canvas(np.ones((28, 28)), scale=10, top=5), contains="expected the 280×280 picture at (5, 0) to fit on a 280×280 canvas")
    check_eq(fit_in_square(np.ones((10, 40))).shape, (5, 20))    # proportions kept

def test_loaded_weights_and_plain_model_read_the_same(learn, test_digits, tmp_path):
    "Saved weights loaded back into a model built from code, and the bare `nn.Module` with the Learner's statistics, give the same probabilities."
    from neuralnets101.faster import save_final_model
    image = test_digits['restyled'][0]
    expected = DigitReader(learn)(image)
    loaded = course_model(weights=save_final_model(learn, tmp_path/'final_model.pth'))
    check_close(DigitReader(loaded)(image), expected, eps=1e-5)
    reader = DigitReader(learn)
    check_close(DigitReader(learn.model, mean=reader.mean, std=reader.std)(image), expected, eps=1e-5)
    assert not np.allclose(DigitReader(learn.model)(image), expected, atol=1e-3)   # without the statistics: different
