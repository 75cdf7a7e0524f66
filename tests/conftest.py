"Shared fixtures for the tests: the MNIST folder, full MNIST when it is here; the browser helpers live in tests/browser.py."
import json, os, signal, socket, subprocess, sys, time, urllib.request, warnings
import pytest
from contextlib import contextmanager
from pathlib import Path

from browser import (free_port, fresh_jupyter_env, running_server, CHROMIUM, CHROME_FLAGS, jupyterlab, accept_dialogs,
                     run_all_cells, chromium_page)   # re-exported for the tests that import them from here

# tests/colab/ runs in the environment with Colab's package versions, started by `make test-colab`
collect_ignore = [] if os.environ.get('NEURALNETS101_COLAB_PYTHON') else ['colab']

@pytest.fixture(scope='session')
def path():
    "The MNIST folder that `find_mnist` finds (the offline subset without a network), its offline notice silenced."
    from neuralnets101.mnist import find_mnist
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return find_mnist().path

def pytest_configure(config):
    config.addinivalue_line('markers', 'full_mnist: needs the full MNIST archive (NEURALNETS101_MNIST, or ../shared/data/mnist_png.tgz); skipped without it')

@pytest.fixture(scope='session')
def full_mnist_archive():
    "The full MNIST archive: NEURALNETS101_MNIST if it names a .tgz, else ../shared/data/mnist_png.tgz next to the checkout; skips the test without one."
    named = os.environ.get('NEURALNETS101_MNIST', '')
    for candidate in (Path(named) if named.endswith('.tgz') else None, Path(__file__).resolve().parents[2]/'shared'/'data'/'mnist_png.tgz'):
        if candidate is not None and candidate.is_file(): return candidate
    pytest.skip('full MNIST archive not found (set NEURALNETS101_MNIST=/path/to/mnist_png.tgz)')

@pytest.fixture(scope='session')
def course_learner():
    "The course's final model (chapter 5's), trained here for 3 epochs: the tests of handwriting and draw read digits with it."
    from fastai.torch_core import set_seed
    from neuralnets101.handwriting import course_model
    set_seed(42, reproducible=True)
    learn = course_model(weights='no-such-file.pth')
    learn.recorder.silent = True
    return learn

@pytest.fixture(scope='session')
def drawn_digits():
    "1,000 MNIST test digits, each drawn ×10 somewhere on a 280×280 canvas as a learner might, and restyled by `mnist_style`."
    import numpy as np, torch
    from neuralnets101.data import mnist_path, digit_stack
    from neuralnets101.handwriting import mnist_style, somewhere_on_canvas
    path = mnist_path()
    stacks = [digit_stack(path, d, 'testing') for d in range(10)]
    sample = np.random.default_rng(0).permutation(sum(map(len, stacks)))[:1000]
    images = torch.cat(stacks).numpy()[sample]
    labels = np.concatenate([np.full(len(stack), d) for d, stack in enumerate(stacks)])[sample]
    rng = np.random.default_rng(1)
    drawn = [somewhere_on_canvas(image, rng, scale=10) for image in images]
    return dict(images=images, labels=labels, drawn=drawn, restyled=np.stack([mnist_style(d) for d in drawn]))
