"""Tests of `DigitPad` (neuralnets101.draw) with chapter 5's model and chapter 6's MNIST-style preparation, headless, on
real MNIST test digits drawn ×10 somewhere on the canvas (`course_learner` and `drawn_digits` in conftest.py); the pad in a
real browser: tests/test_browser_draw.py."""
import numpy as np, pytest
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from neuralnets101.handwriting import mnist_style, centre_of_mass
from neuralnets101.draw import DigitPad, EMPTY_MESSAGE, TOO_SMALL_MESSAGE

def test_pad_reads_a_drawn_digit(course_learner, drawn_digits):
    pad = DigitPad(course_learner, prepare=mnist_style)
    check_eq(pad.answer, EMPTY_MESSAGE)
    right = 0
    for drawing, label in zip(drawn_digits['drawn'][:20], drawn_digits['labels'][:20]):
        pad.drawing = drawing
        check_close(sum(pad.probabilities), 1.0, eps=1e-5)
        check_eq(pad.answer, f"I read {'an' if pad.prediction == 8 else 'a'} {pad.prediction}")
        check_eq(np.frombuffer(pad.seen, np.uint8).reshape(28, 28), np.round(mnist_style(drawing) * 255).astype(np.uint8))
        right += pad.prediction == label
    assert right >= 17, right

def test_odd_drawings(course_learner):
    pad = DigitPad(course_learner, prepare=mnist_style)
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

def test_pad_refuses_a_drawing_of_the_wrong_shape(course_learner):
    pad = DigitPad(course_learner, prepare=mnist_style)
    check_fail(lambda: setattr(pad, 'drawing', np.zeros((28, 28))), contains="expected a drawing of shape (280, 280), got (28, 28)")
    check_fail(lambda: setattr(pad, 'drawing', np.zeros((280, 280, 3))), contains="got (280, 280, 3)")
