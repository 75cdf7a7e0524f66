"""Every exercise checker against typical wrong solutions (each must fail with the hint for its mistake) and against a right
solution written differently from the reference in 96_solutions (it must pass), on real MNIST (the offline subset without a network)."""
import re, warnings
import numpy as np
import pytest, torch
import torch.nn.functional as F
from PIL import Image
from torch import tensor
from neuralnets101.checkers import *
from neuralnets101.similarity import mnist_distance
from neuralnets101.sgd import mnist_loss

# --- chapter 0 ---
def forgot_255(fname): return torch.tensor(np.array(Image.open(fname))).float()
def kept_bytes(fname): return torch.tensor(np.array(Image.open(fname)))
def as_array(fname): return np.array(Image.open(fname))/255
def with_channel_axis(fname): return torch.tensor(np.array(Image.open(fname))).float().unsqueeze(0)/255
def transposed(fname): return torch.tensor(np.array(Image.open(fname))).float().T/255
def image_to_tensor_float64(fname): return torch.from_numpy(np.array(Image.open(fname))).double()/255

# --- chapter 1 ---
def whole_mean(images, ideal): return ((images - ideal)**2).mean().sqrt()
def no_root(images, ideal): return ((images - ideal)**2).mean((-1, -2))
def l1_instead(images, ideal): return (images - ideal).abs().mean((-1, -2))
def root_before_mean(images, ideal): return ((images - ideal)**2).sqrt().mean((-1, -2))
def rmse_float64(images, ideal): return torch.sqrt(torch.mean((images.double() - ideal.double()).pow(2), dim=(-2, -1)))

def is_3_instead(images, ideal3, ideal7): return mnist_distance(images, ideal3) < mnist_distance(images, ideal7)
def distance_only(images, ideal3, ideal7): return mnist_distance(images, ideal7)
def rmse_comparison(images, ideal3, ideal7): return rmse_float64(images, ideal7) < rmse_float64(images, ideal3)
def zeros_and_ones(images, ideal3, ideal7): return (mnist_distance(images, ideal7) < mnist_distance(images, ideal3)).int()
def averages_everything(images, ideal3, ideal7): return (images - ideal7).abs().mean() < (images - ideal3).abs().mean()
def returns_pil_image(fname): return Image.open(fname)
def is_7_by_difference(images, ideal3, ideal7): return (mnist_distance(images, ideal3) - mnist_distance(images, ideal7)) > 0

# --- chapter 2 ---
def value_not_slope(f, x): return f(tensor(x)).item()
def big_step(f, x): return (f(tensor(x + 0.1)) - f(tensor(x))).item()/0.1
def no_requires_grad(f, x):
    xt = tensor(float(x)); f(xt).backward(); return xt.grad.item()
def hard_coded(f, x): return 2*x
def slope_by_autograd_grad(f, x):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    return torch.autograd.grad(f(xt), xt)[0]

def never_zeroed(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad(): x -= lr * x.grad
    return x.item()
def uphill(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad(): x += lr * x.grad
        x.grad = None
    return x.item()
def rebinds_x(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps):
        f(x).backward()
        x = x - lr * x.grad
    return x.item()
def rebinds_x_under_no_grad(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad(): x = x - lr * x.grad
    return x.item()
def one_step_too_many(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps + 1):
        f(x).backward()
        with torch.no_grad(): x -= lr * x.grad
        x.grad = None
    return x.item()
def no_no_grad(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps):
        f(x).backward()
        x -= lr * x.grad
        x.grad = None
    return x.item()
def descend_float64_zero_(f, start, lr, steps):
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad(): x.sub_(lr * x.grad)
        x.grad.zero_()
    return x

# --- chapter 3 ---
def no_sigmoid(p, t): return torch.where(t == 1, 1 - p, p).mean()
def swapped_cases(p, t): return torch.where(t == 1, p.sigmoid(), 1 - p.sigmoid()).mean()
def flattens_scores(p, t): return torch.where(t == 1, 1 - p.sigmoid().view(-1), p.sigmoid().view(-1)).mean()
def sums(p, t): return torch.where(t == 1, 1 - p.sigmoid(), p.sigmoid()).sum()
def no_mean(p, t): return torch.where(t == 1, 1 - p.sigmoid(), p.sigmoid())
def loss_as_distance_float64(p, t): return (t.double() - p.double().sigmoid()).abs().mean()

def threshold_before_sigmoid(p, t): return ((p > 0.5).float() == t).float().mean()
def ignores_targets(p, t): return (p.sigmoid() > 0.5).float().mean()
def flattens_targets(p, t): return ((p.sigmoid() > 0.5) == (t.view(-1) == 1)).float().mean()
def counts(p, t): return ((p.sigmoid() > 0.5) == (t == 1)).float().sum()
def as_python_float(p, t): return ((p.sigmoid() > 0.5) == (t == 1)).float().mean().item()
def accuracy_float64(p, t): return ((p > 0) == t.bool()).double().mean()

def _epoch(name, update, reset=True, batches=None):
    def my_train_epoch(model, dl, params, lr):
        for xb, yb in list(dl)[:batches]:
            mnist_loss(model(xb), yb).backward()
            update(params, lr)
            if reset:
                for p in params: p.grad = None
    my_train_epoch.__name__ = name
    return my_train_epoch
def _step(params, lr):
    with torch.no_grad():
        for p in params: p -= lr * p.grad
def _uphill(params, lr):
    with torch.no_grad():
        for p in params: p += lr * p.grad
def _no_no_grad(params, lr):
    for p in params: p -= lr * p.grad
def _rebind(params, lr):
    with torch.no_grad():
        for p in params: p = p - lr * p.grad
forgets_to_zero, steps_uphill = _epoch('forgets_to_zero', _step, reset=False), _epoch('steps_uphill', _uphill)
no_no_grad_epoch, rebinds_params = _epoch('no_no_grad', _no_no_grad), _epoch('rebinds_params', _rebind)
skips_last_batch = _epoch('skips_last_batch', _step, batches=-1)
def epoch_with_zero_(model, dl, params, lr):
    for xb, yb in dl:
        loss = torch.where(yb == 1, 1 - model(xb).sigmoid(), model(xb).sigmoid()).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad * lr)
                p.grad.zero_()

# --- chapter 4 ---
def _crop(batch, max_shift, offsets):
    padded = F.pad(batch, (max_shift,)*4)
    return torch.stack([padded[i, :, dy:dy + 28, dx:dx + 28] for i, (dy, dx) in enumerate(offsets.tolist())])
def same_offset(batch, s): return _crop(batch, s, torch.randint(0, 2*s + 1, (2,)).expand(len(batch), 2))
def wraps_around(batch, s):
    return torch.stack([torch.roll(image, tuple(torch.randint(-s, s + 1, (2,)).tolist()), dims=(1, 2)) for image in batch])
def never_plus_max(batch, s): return _crop(batch, s, torch.randint(0, 2*s, (len(batch), 2)))
def only_diagonal(batch, s): return _crop(batch, s, torch.randint(0, 2*s + 1, (len(batch), 1)).expand(len(batch), 2))
def rows_only(batch, s):
    offsets = torch.stack([torch.randint(0, 2*s + 1, (len(batch),)), torch.full((len(batch),), s)], 1)
    return _crop(batch, s, offsets)
def shift_with_loop_and_zeros(batch, max_shift):
    out = torch.zeros_like(batch)
    for i, image in enumerate(batch):
        dy, dx = torch.randint(-max_shift, max_shift + 1, (2,)).tolist()
        src = image[:, max(0, -dy):28 - max(0, dy), max(0, -dx):28 - max(0, dx)]
        out[i, :, max(0, dy):max(0, dy) + src.shape[1], max(0, dx):max(0, dx) + src.shape[2]] = src
    return out
def to_float(batch, max_shift): return shift_with_loop_and_zeros(batch, max_shift).float()/255
def loses_the_dots(batch, max_shift): return torch.zeros_like(batch)

def forgot_plus_one(size, ks, stride, padding): return (size + 2*padding - ks)//stride
def ignores_padding(size, ks, stride, padding): return (size - ks)//stride + 1
def padding_once(size, ks, stride, padding): return (size + padding - ks)//stride + 1
def true_division(size, ks, stride, padding): return (size + 2*padding - ks)/stride + 1
def conv_size_with_floor(size, ks, stride, padding):
    import math
    return math.floor((size + 2*padding - ks) / stride) + 1

# --- chapter 6 ---
def _rows_cols(image): return torch.arange(image.shape[0])[:, None], torch.arange(image.shape[1])
def centre_swapped(image):
    rows, cols = _rows_cols(image)
    return ((cols*image).sum()/image.sum()).item(), ((rows*image).sum()/image.sum()).item()
def centre_unweighted(image):
    where = image.nonzero().float()
    return tuple(where.mean(0).tolist())
def centre_over_pixels(image):
    rows, cols = _rows_cols(image)
    return ((rows*image).mean()).item(), ((cols*image).mean()).item()
def centre_of_bounding_box(image):
    where = image.nonzero().float()
    return tuple(((where.min(0).values + where.max(0).values)/2).tolist())
def centre_hard_coded_28(image):
    rows, cols = torch.arange(28)[:, None], torch.arange(28)[None, :]
    return ((rows*image).sum()/image.sum()).item(), ((cols*image).sum()/image.sum()).item()
def centre_rows_not_a_column(image):
    h, w = image.shape
    rows, cols = torch.arange(h), torch.arange(w)
    return ((rows*image).sum()/image.sum()).item(), ((cols*image).sum()/image.sum()).item()
def centre_as_one_number(image): return (image.nonzero().float().mean()).item()
def centre_with_numpy_as_tensors(image):
    "Right, written with NumPy and returning 0-d tensors."
    ink = image.numpy().astype(np.float64)
    rows, cols = np.indices(ink.shape)
    return torch.tensor((rows*ink).sum()/ink.sum()), torch.tensor((cols*ink).sum()/ink.sum())

WRONG = [  # checker, wrong solution, words its report must contain
    (check_image_to_tensor, forgot_255, 'divide by 255'),
    (check_image_to_tensor, kept_bytes, 'expected a float tensor, got torch.uint8'),
    (check_image_to_tensor, as_array, 'got a NumPy array of shape (28, 28): wrap it with torch.tensor'),
    (check_image_to_tensor, with_channel_axis, 'expected shape (28, 28), got shape (1, 28, 28); the right number of values in the wrong shape'),
    (check_image_to_tensor, transposed, 'row i, column j of the tensor'),
    (check_rmse_distance, whole_mean, 'average over the last two axes only'),
    (check_rmse_distance, no_root, 'that is the mean squared error: take its square root'),
    (check_rmse_distance, l1_instead, 'that is the L1 distance: square the differences'),
    (check_rmse_distance, root_before_mean, 'that is the L1 distance: square the differences'),
    (check_is_7, is_3_instead, 'every answer is the opposite'),
    (check_is_7, distance_only, 'expected booleans'),
    (check_is_7, rmse_comparison, 'that compares RMSE distances'),
    (check_is_7, averages_everything, 'got shape (); expected one True/False per image: average the distances over the last two axes only'),
    (check_image_to_tensor, returns_pil_image, 'got a PIL image (PngImageFile): convert it with np.array(...), then torch.tensor(...)'),
    (check_is_7, zeros_and_ones, 'expected booleans (True/False), got torch.int32'),
    (check_slope_at, value_not_slope, 'that is the value of the function, not its slope'),
    (check_slope_at, big_step, 'a finite difference only estimates the slope'),
    (check_slope_at, no_requires_grad, 'call .requires_grad_() on it before computing f(x)'),
    (check_slope_at, hard_coded, 'call backward() on f(x) and read x.grad'),
    (check_descend, never_zeroed, 'did you reset the gradient after each step?'),
    (check_descend, uphill, 'step against the gradient'),
    (check_descend, rebinds_x, 'update the tensor itself, in place and untracked'),
    (check_descend, rebinds_x_under_no_grad, 'update the tensor itself, in place and untracked'),
    (check_descend, one_step_too_many, 'that is where 11 steps end'),
    (check_descend, no_no_grad, 'do the update inside `with torch.no_grad():`'),
    (check_mnist_loss, no_sigmoid, 'apply sigmoid to the scores first'),
    (check_mnist_loss, swapped_cases, 'the two cases are swapped'),
    (check_mnist_loss, flattens_scores, 'broadcast to (n, n): keep predictions and targets in the same shape'),
    (check_mnist_loss, sums, 'average with .mean(), not .sum()'),
    (check_mnist_loss, no_mean, 'expected a single number: average with .mean()'),
    (check_batch_accuracy, threshold_before_sigmoid, 'compare sigmoid(scores) with 0.5, or the raw scores with 0'),
    (check_batch_accuracy, ignores_targets, 'that is the fraction called 3'),
    (check_batch_accuracy, flattens_targets, 'broadcast to (n, n)'),
    (check_batch_accuracy, counts, 'that is the number right'),
    (check_batch_accuracy, as_python_float, 'return the tensor itself, without .item()'),
    (check_train_epoch, forgets_to_zero, 'reset the gradients (p.grad = None)'),
    (check_train_epoch, steps_uphill, 'step against the gradient'),
    (check_train_epoch, no_no_grad_epoch, 'update the parameters inside `with torch.no_grad():`'),
    (check_train_epoch, skips_last_batch, 'the last batch (4 images) was left out'),
    (check_train_epoch, rebinds_params, 'the parameters did not change: update them in place'),
    (check_random_shift, same_offset, 'moved by the same offset'),
    (check_random_shift, wraps_around, 'the image wrapped around'),
    (check_random_shift, never_plus_max, 'offset never reached -3'),
    (check_random_shift, only_diagonal, 'draw the row offset and the column offset separately'),
    (check_random_shift, rows_only, 'the column offset never reached -3 or +3'),
    (check_random_shift, to_float, 'expected a batch of torch.uint8 pixels like the input, got torch.float32'),
    (check_random_shift, loses_the_dots, 'no image holds the dot any more'),
    (check_conv_output_size, forgot_plus_one, 'one too few'),
    (check_conv_output_size, ignores_padding, 'include it'),
    (check_conv_output_size, padding_once, 'padding goes on both sides'),
    (check_conv_output_size, true_division, 'use integer division'),
    (check_centre_of_mass, centre_swapped, 'expected (3, 20), got (20, 3); return (row, column): rows first'),
    (check_centre_of_mass, centre_unweighted, 'expected (10, 12), got (10, 13); weight each position by its ink'),
    (check_centre_of_mass, centre_over_pixels, 'divide by the total ink, image.sum(), not by the number of pixels'),
    (check_centre_of_mass, centre_of_bounding_box, "that is the middle of the ink's bounding box"),
    (check_centre_of_mass, centre_hard_coded_28, 'a vertical bar in a 20×8 picture: calling it raised RuntimeError'),
    (check_centre_of_mass, centre_hard_coded_28, 'this picture is 20×8: take h and w from image.shape instead of writing 28'),
    (check_centre_of_mass, centre_rows_not_a_column, 'tensor b (8) at non-singleton dimension 1; make the row numbers a column'),
    (check_centre_of_mass, centre_rows_not_a_column, 'so it weighted the columns: make it a column with [:, None]'),
    (check_centre_of_mass, centre_as_one_number, 'expected two numbers (row, column), got float'),
]
RIGHT = [(check_image_to_tensor, image_to_tensor_float64), (check_rmse_distance, rmse_float64), (check_is_7, is_7_by_difference),
         (check_slope_at, slope_by_autograd_grad), (check_descend, descend_float64_zero_), (check_mnist_loss, loss_as_distance_float64),
         (check_batch_accuracy, accuracy_float64), (check_train_epoch, epoch_with_zero_), (check_random_shift, shift_with_loop_and_zeros),
         (check_conv_output_size, conv_size_with_floor),
         (check_centre_of_mass, centre_with_numpy_as_tensors)]

def _run(checker, solution):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        report = checker(solution)
    not_writable = [w for w in caught if 'not writable' in str(w.message)]
    assert not not_writable, not_writable
    return report

@pytest.mark.parametrize('checker, solution, words', WRONG, ids=[f"{c.__name__}-{s.__name__}" for c, s, _ in WRONG])
def test_wrong_solution_gets_its_hint(checker, solution, words):
    report = _run(checker, solution)
    assert not report.passed and words in repr(report), repr(report)

@pytest.mark.parametrize('checker, solution', RIGHT, ids=[c.__name__ for c, _ in RIGHT])
def test_right_solution_written_differently_passes(checker, solution):
    report = _run(checker, solution)
    assert report.passed, repr(report)

def test_every_checker_has_three_wrong_solutions_and_a_right_one():
    checkers = {c for c, _ in RIGHT}
    assert len(checkers) == 11
    for checker in checkers: assert sum(c is checker for c, _, _ in WRONG) >= 3, checker.__name__

@pytest.mark.parametrize('checker, solution, words', WRONG, ids=[f"{c.__name__}-{s.__name__}" for c, s, _ in WRONG])
def test_expected_and_got_never_look_the_same(checker, solution, words):
    for line in _run(checker, solution).lines:
        for expected, got in re.findall(r'expected (?:x = )?([^,;]+?), got ([^,;.]+?)(?=[,;]|\. |$)', line):
            assert expected.strip() != got.strip(), line

def test_conv_checker_does_not_give_the_formula_away():
    for solution in (forgot_plus_one, ignores_padding, lambda *a: 7):
        assert '(size + 2' not in repr(_run(check_conv_output_size, solution))

def test_not_written_yet():
    def unwritten(*args): raise NotImplementedError
    for checker, _ in RIGHT:
        report = checker(unwritten)
        assert not report.passed and repr(report).count('not written yet') == 1, repr(report)

def test_loss_is_not_praised_next_to_wrong_weights():
    report = _run(check_train_epoch, forgets_to_zero)   # its loss falls too
    assert not any('loss' in line for line in report.lines if line.startswith('✓')), repr(report)
    assert any(line.startswith('· the loss went from') for line in report.lines), repr(report)
    assert any(line.startswith('✓ the loss fell') for line in _run(check_train_epoch, epoch_with_zero_).lines)
