"""Every exercise checker against adversarial and careless solutions: functions that change their inputs in place, return
NaN or the wrong type, raise, loop forever or call sys.exit, plus the named slips of each exercise. For each the test asserts
the verdict, words of the hint, and that the course's data (the digits every chapter reads) is the same afterwards."""
import hashlib, signal, sys, threading, time, warnings
import numpy as np
import pytest, torch
import torch.nn.functional as F
from PIL import Image
from torch import tensor
import neuralnets101.checkers as checkers
from neuralnets101.checkers import *
from neuralnets101.mnist import digit_stack, digit_pixels, digit_files
from neuralnets101.similarity import mnist_distance
from neuralnets101.sgd import mnist_loss

@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    "A hanging solution costs half a second here instead of the learner's five."
    monkeypatch.setattr(checkers, 'TIME_LIMIT', 0.5)

def course_data(path) -> dict:
    "Sums of the digit stacks the checkers read, and the bytes of the first files of testing/3 and testing/7."
    sums = {(digit, split, kind): float(stack(path, digit, split).double().sum())
            for digit in (3, 7) for split in ('training', 'testing') for kind, stack in (('float', digit_stack), ('pixels', digit_pixels))}
    files = {f.name: hashlib.sha1(f.read_bytes()).hexdigest() for digit in (3, 7) for f in digit_files(path, digit, 'testing')[:20]}
    return {**sums, **files}

# --- solutions that go wrong the same way in every exercise ---
def raises(*args): raise ValueError("something inside went wrong")
def hangs(*args):
    while True: pass
def exits(*args): sys.exit(0)
def interrupted(*args): raise KeyboardInterrupt
def returns_text(*args): return "42"
def swallows_everything_and_hangs(*args):
    while True:
        try: time.sleep(0.01)
        except Exception: pass

GENERIC = [(raises, 'calling it raised ValueError: something inside went wrong'), (hangs, 'it was still running after 0.5 s'),
           (exits, 'it called sys.exit()'), (interrupted, 'it was interrupted'), (swallows_everything_and_hangs, 'it was still running after 0.5 s')]

# --- chapter 0 ---
def _pixels(fname): return torch.tensor(np.array(Image.open(fname)), dtype=torch.float32)
def by_own_max(fname): t = _pixels(fname); return t/t.max()
def by_256(fname): return _pixels(fname)/256
def inverted(fname): return 1 - _pixels(fname)/255
def image_nan(fname): return torch.full((28, 28), float('nan'))
def image_as_list(fname): return (_pixels(fname)/255).tolist()
def overwrites_the_file(fname):
    Image.new('L', (28, 28)).save(fname)
    return _pixels(fname)/255

# --- chapter 1 ---
def rmse_in_place(images, ideal):
    images -= ideal; images **= 2
    return images.mean((-1, -2)).sqrt()
def rmse_axes_1_2(images, ideal): return ((images - ideal)**2).mean((1, 2)).sqrt()
def rmse_nan(images, ideal): return ((images - ideal).log()**2).mean((-1, -2)).sqrt()
def rmse_numpy(images, ideal): return np.sqrt(((images.numpy() - ideal.numpy())**2).mean((-1, -2)))
def rmse_in_place_on_ideal(images, ideal):
    ideal.mul_(0)
    return ((images - ideal)**2).mean((-1, -2)).sqrt()

def is_7_in_place(images, ideal3, ideal7):
    images -= ideal7
    return images.abs().mean((-1, -2)) < (images + ideal7 - ideal3).abs().mean((-1, -2))
def is_7_with_if(images, ideal3, ideal7):
    if mnist_distance(images, ideal7) < mnist_distance(images, ideal3): return True
    return False
def is_7_axes_1_2(images, ideal3, ideal7): return (images - ideal7).abs().mean((1, 2)) < (images - ideal3).abs().mean((1, 2))
def is_7_as_list(images, ideal3, ideal7): return (mnist_distance(images, ideal7) < mnist_distance(images, ideal3)).tolist()
def is_7_nan(images, ideal3, ideal7): return torch.full(images.shape[:-2], float('nan'))

# --- chapter 2 ---
def central_difference(f, x, h=1e-4):
    x = torch.tensor(float(x), dtype=torch.float64)
    return ((f(x + h) - f(x - h))/(2*h)).item()
def slope_nan(f, x): return float('nan')
def slope_as_text(f, x): return f"{x}"
def slope_with_float(f, x):
    x = float(x); f(x).backward()   # torch.exp(1.0) raises: f needs a tensor
def slope_float32(f, x):
    xt = tensor(float(x)).requires_grad_(); f(xt).backward()
    return np.float32(xt.grad.item())

def descend_nan(f, start, lr, steps): return float('nan')
def descend_path_list(f, start, lr, steps):
    x, path = tensor(float(start)).requires_grad_(), []
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad(): x -= lr*x.grad
        x.grad = None; path.append(x.item())
    return path
def descend_float32(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad(): x -= lr*x.grad
        x.grad = None
    return np.float32(x.item())
def descend_forever(f, start, lr, steps):
    x = tensor(float(start)).requires_grad_()
    while steps > 0:   # forgot to count down
        f(x).backward()
        with torch.no_grad(): x -= lr*x.grad
        x.grad = None
    return x.item()

# --- chapter 3 ---
def loss_detached(p, t): return torch.where(t == 1, 1 - p.sigmoid(), p.sigmoid()).mean().detach()
def loss_numpy(p, t):
    probabilities = 1/(1 + np.exp(-p.detach().numpy()))
    return torch.tensor(np.where(t.numpy() == 1, 1 - probabilities, probabilities).mean(), dtype=torch.float32)
def loss_sigmoid_(p, t): return torch.where(t == 1, 1 - p.sigmoid_(), p).mean()
def loss_overwrites_targets(p, t):
    t.fill_(0)
    return torch.where(t == 1, 1 - p.sigmoid(), p.sigmoid()).mean()
def loss_where_on_targets(p, t): return torch.where(t, 1 - p.sigmoid(), p.sigmoid()).mean()
def loss_nan(p, t): return (p.sigmoid()*float('nan')).mean()
def loss_half_detached(p, t):
    s = p.sigmoid()
    return torch.where(t == 1, 1 - s.detach(), s).mean()

def accuracy_sigmoid_(p, t): return ((p.sigmoid_() > 0.5) == (t == 1)).float().mean()
def accuracy_constant_after_overwriting(p, t):
    p.fill_(1.); t.fill_(1.)
    return tensor(1.)
def accuracy_with_if(p, t): return tensor(1.) if p > 0 else tensor(0.)
def accuracy_nan(p, t): return tensor(float('nan'))
def accuracy_as_list(p, t): return ((p > 0) == (t == 1)).float().tolist()

def _loop(loss=mnist_loss, one_batch=False, step_after=False):
    def my_train_epoch(model, dl, params, lr):
        for xb, yb in dl:
            loss(model(xb), yb).backward()
            if not step_after:
                with torch.no_grad():
                    for p in params: p -= lr*p.grad
                for p in params: p.grad = None
            if one_batch: return
        if step_after:
            with torch.no_grad():
                for p in params: p -= lr*p.grad
    return my_train_epoch
epoch_bce = _loop(F.binary_cross_entropy_with_logits)
epoch_one_batch, epoch_step_after = _loop(one_batch=True), _loop(step_after=True)
epoch_squared_error = _loop(lambda p, t: ((p.sigmoid() - t)**2).mean())
def epoch_nan(model, dl, params, lr):
    with torch.no_grad():
        for p in params: p.mul_(float('nan'))
def epoch_changes_batches(model, dl, params, lr):
    for xb, yb in dl: xb.zero_()
    _loop()(model, dl, params, lr)

# --- chapter 4 and 5 ---
def shift_fixed_3(batch, max_shift):
    padded, offsets = F.pad(batch, (3,)*4), torch.randint(0, 7, (len(batch), 2))
    return torch.stack([padded[i, :, dy:dy + 28, dx:dx + 28] for i, (dy, dx) in enumerate(offsets.tolist())])
def shift_in_place(batch, max_shift):
    padded, offsets = F.pad(batch, (max_shift,)*4), torch.randint(0, 2*max_shift + 1, (len(batch), 2))
    for i, (dy, dx) in enumerate(offsets.tolist()): batch[i] = padded[i, :, dy:dy + 28, dx:dx + 28]
    return batch
def shift_as_list(batch, max_shift): return list(batch)
def shift_nan(batch, max_shift): return torch.full(batch.shape, float('nan'))
def shift_for_256(batch, max_shift):
    padded, offsets = F.pad(batch, (max_shift,)*4), torch.randint(0, 2*max_shift + 1, (256, 2))
    return torch.stack([padded[i, :, dy:dy + 28, dx:dx + 28] for i, (dy, dx) in enumerate(offsets.tolist())])

def conv_two_sizes(size, ks, stride, padding): return tensor([(size + 2*padding - ks)//stride + 1]*2)
def conv_nan(size, ks, stride, padding): return float('nan')
def conv_text(size, ks, stride, padding): return str((size + 2*padding - ks)//stride + 1)
def conv_numpy(size, ks, stride, padding): return np.int64((size + 2*padding - ks)//stride + 1)
def conv_0d_tensor(size, ks, stride, padding): return tensor((size + 2*padding - ks)//stride + 1)

# --- chapter 6 ---
def _rows_cols(image): return torch.arange(image.shape[0])[:, None], torch.arange(image.shape[1])
def centre_nan(image):
    rows, cols = _rows_cols(image)
    total = (image*0).sum()
    return ((rows*image*0).sum()/total).item(), ((cols*image*0).sum()/total).item()
def centre_in_place(image):
    image /= image.sum()
    rows, cols = _rows_cols(image)
    return (rows*image).sum().item(), (cols*image).sum().item()
def centre_text(image): return "(14, 14)"
def centre_numpy_scalars(image):
    rows, cols = _rows_cols(image)
    return np.float32(((rows*image).sum()/image.sum()).item()), np.float64(((cols*image).sum()/image.sum()).item())

SPECIFIC = [  # checker, solution, words its report must contain
    (check_image_to_tensor, by_own_max, "dividing by the picture's own maximum stretches faint pictures"),
    (check_image_to_tensor, by_256, 'divide by 255, not 256'),
    (check_image_to_tensor, inverted, 'the ink is inverted'),
    (check_image_to_tensor, image_nan, 'values are NaN (not a number)'),
    (check_image_to_tensor, image_as_list, 'expected a tensor, got list'),
    (check_rmse_distance, rmse_in_place, 'your function changed its input `images`'),
    (check_rmse_distance, rmse_in_place_on_ideal, 'your function changed its input `ideal`'),
    (check_rmse_distance, rmse_axes_1_2, 'one image: calling it raised IndexError'),
    (check_rmse_distance, rmse_axes_1_2, 'one image has shape (28, 28), so it has no axis 2'),
    (check_rmse_distance, rmse_nan, 'values are NaN (not a number)'),
    (check_rmse_distance, rmse_numpy, 'got a NumPy array of shape'),
    (check_rmse_distance, rmse_numpy, 'wrap it with torch.tensor'),
    (check_is_7, is_7_in_place, 'your function changed its input `images`'),
    (check_is_7, is_7_with_if, "an `if` (or `and`, `or`, `not`) met a tensor of many True/False values"),
    (check_is_7, is_7_axes_1_2, 'one validation 7: calling it raised IndexError'),
    (check_is_7, is_7_axes_1_2, 'one image has shape (28, 28), so it has no axis 2'),
    (check_is_7, is_7_as_list, 'expected a tensor, got list'),
    (check_is_7, is_7_nan, 'expected booleans'),
    (check_slope_at, central_difference, 'f was never given a tensor that requires grad'),
    (check_slope_at, slope_nan, 'got NaN (not a number)'),
    (check_slope_at, slope_as_text, 'expected a number, got str'),
    (check_slope_at, slope_with_float, 'make x a tensor first'),
    (check_descend, descend_nan, 'got NaN (not a number)'),
    (check_descend, descend_path_list, 'expected the final position as a number, got list'),
    (check_descend, descend_forever, 'it was still running after 0.5 s'),
    (check_mnist_loss, loss_detached, 'the value is right but it has no gradient'),
    (check_mnist_loss, loss_numpy, 'the value is right but it has no gradient'),
    (check_mnist_loss, loss_half_detached, 'the value is right but its gradient is not'),
    (check_mnist_loss, loss_sigmoid_, 'sigmoid_() and other methods ending in _ write into the scores'),
    (check_mnist_loss, loss_overwrites_targets, 'your function changed its input `t`'),
    (check_mnist_loss, loss_where_on_targets, "torch.where's first argument must be True/False values"),
    (check_mnist_loss, loss_nan, 'values are NaN'),
    (check_batch_accuracy, accuracy_sigmoid_, 'your function changed its input `p`'),
    (check_batch_accuracy, accuracy_constant_after_overwriting, 'your function changed its input `t`'),
    (check_batch_accuracy, accuracy_with_if, "an `if` (or `and`, `or`, `not`) met a tensor"),
    (check_batch_accuracy, accuracy_nan, 'values are NaN'),
    (check_batch_accuracy, accuracy_as_list, 'expected a tensor, got list'),
    (check_train_epoch, epoch_one_batch, 'only the first batch was used'),
    (check_train_epoch, epoch_step_after, 'the parameters moved only once, after the loop'),
    (check_train_epoch, epoch_squared_error, 'as a different loss would move them: compute each batch\'s loss with mnist_loss'),
    (check_train_epoch, epoch_nan, 'values are NaN'),
    (check_random_shift, shift_fixed_3, 'use the max_shift argument instead of a fixed 3'),
    (check_random_shift, shift_in_place, 'your function changed its input `batch`'),
    (check_random_shift, shift_as_list, 'expected a batch of shape (256, 1, 28, 28), got list'),
    (check_random_shift, shift_nan, 'expected a batch of torch.uint8 pixels'),
    (check_random_shift, shift_for_256, 'max_shift=1, 100 images: calling it raised IndexError'),
    (check_conv_output_size, conv_two_sizes, 'expected a whole number, got a torch.int64 tensor of shape (2,)'),
    (check_conv_output_size, conv_nan, 'got NaN (not a number)'),
    (check_conv_output_size, conv_text, 'expected a whole number, got str'),
    (check_centre_of_mass, centre_nan, 'got (NaN, NaN): NaN (not a number) comes from 0/0'),
    (check_centre_of_mass, centre_in_place, 'your function changed its input `image`'),
    (check_centre_of_mass, centre_text, 'expected two numbers (row, column), got str'),
]
CHECKERS = [check_image_to_tensor, check_rmse_distance, check_is_7, check_slope_at, check_descend, check_mnist_loss,
            check_batch_accuracy, check_train_epoch, check_random_shift, check_conv_output_size, check_centre_of_mass]
WRONG = SPECIFIC + [(checker, solution, words) for checker in CHECKERS for solution, words in GENERIC]
RIGHT = [(check_slope_at, slope_float32), (check_descend, descend_float32), (check_train_epoch, epoch_bce),
         (check_conv_output_size, conv_numpy), (check_conv_output_size, conv_0d_tensor), (check_centre_of_mass, centre_numpy_scalars)]

def _run(checker, solution):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return checker(solution)

@pytest.mark.parametrize('checker, solution, words', WRONG, ids=[f"{c.__name__}-{s.__name__}" for c, s, _ in WRONG])
def test_adversarial_solution_gets_its_hint_and_leaves_the_data(path, checker, solution, words):
    before = course_data(path)
    report = _run(checker, solution)
    assert not report.passed and words in repr(report), repr(report)
    assert course_data(path) == before

@pytest.mark.parametrize('checker, solution', RIGHT, ids=[f"{c.__name__}-{s.__name__}" for c, s in RIGHT])
def test_right_answer_in_another_form_passes(checker, solution):
    report = _run(checker, solution)
    assert report.passed, repr(report)

def test_overwriting_the_file_changes_only_a_copy(path):
    before = course_data(path)
    report = _run(check_image_to_tensor, overwrites_the_file)
    assert not report.passed and 'values differ' in repr(report), repr(report)
    assert course_data(path) == before

def test_an_epoch_that_scribbles_on_its_batches_changes_neither_the_data_nor_its_verdict(path):
    before = course_data(path)
    report = _run(check_train_epoch, epoch_changes_batches)   # each pass over dl makes new batches: the right loop after it passes
    assert report.passed, repr(report)
    assert course_data(path) == before

def test_each_checker_has_five_adversarial_solutions_beyond_the_generic_ones():
    for checker in CHECKERS:
        assert sum(c is checker for c, _, _ in SPECIFIC) >= 3, checker.__name__
        assert sum(c is checker for c, _, _ in WRONG) >= 8, checker.__name__

def test_a_hanging_solution_costs_one_time_limit_not_one_per_case():
    start = time.monotonic()
    report = _run(check_conv_output_size, hangs)   # six cases
    assert time.monotonic() - start < 3, time.monotonic() - start
    assert repr(report).count('still running') == 1 and 'the remaining cases were skipped' in repr(report), repr(report)

def test_the_alarm_handler_and_autograd_are_restored():
    handler = signal.getsignal(signal.SIGALRM)
    _run(check_slope_at, hangs)
    assert signal.getsignal(signal.SIGALRM) is handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    def turns_autograd_off(f, x): torch.set_grad_enabled(False); return 0.
    _run(check_slope_at, turns_autograd_off)
    assert torch.is_grad_enabled()

def test_time_limit_away_from_the_main_thread():
    stop = threading.Event()
    def waits(*args):
        while not stop.is_set(): time.sleep(0.01)
    reports = []
    worker = threading.Thread(target=lambda: reports.append(_run(check_conv_output_size, waits)))
    worker.start(); worker.join(10)
    stop.set()
    assert reports and 'it was still running after 0.5 s' in repr(reports[0]), reports

def swallows_everything_with_a_bare_except(*args):
    while True:
        try: time.sleep(0.01)
        except: pass   # catches even the checker's time limit, a BaseException

def test_a_bare_except_cannot_swallow_the_time_limit(path):
    "The alarm repeats and the next line after it raises again, so a loop with `except:` in it is still stopped, once."
    before, handler, tracing = course_data(path), signal.getsignal(signal.SIGALRM), sys.gettrace()
    start = time.monotonic()
    report = _run(check_conv_output_size, swallows_everything_with_a_bare_except)
    assert time.monotonic() - start < 3, time.monotonic() - start
    assert not report.passed and repr(report).count('it was still running after 0.5 s') == 1, repr(report)
    assert signal.getsignal(signal.SIGALRM) is handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert sys.gettrace() is tracing
    assert course_data(path) == before
