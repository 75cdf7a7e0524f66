"""The course's data can't be poisoned by a learner's code or by a bad run: `digit_stack` returns copies, a bad digit or
split raises before anything is cached, an MNIST folder must hold images, a killed extraction is cleaned up by the next run,
concurrent first runs extract once, damaged caches are rebuilt, a read-only folder gets one clear error."""
import os, signal, subprocess, sys, tarfile, textwrap, time
from pathlib import Path
import numpy as np
import pytest, torch
from PIL import Image
from neuralnets101 import mnist
from neuralnets101.mnist import (digit_stack, digit_pixels, digit_files, install_mnist, build_folder, mnist_counts,
                                 has_mnist_images, SPLITS, DIGITS)

ROOT = Path(__file__).resolve().parents[1]
FULL_COUNTS = {'training': [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
               'testing': [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]}

def small_mnist(folder:Path, per_digit:int=2) -> Path:
    "An MNIST folder with `per_digit` small random images of each digit in each split."
    rng = np.random.default_rng(0)
    for split in SPLITS:
        for digit in DIGITS:
            (folder/split/str(digit)).mkdir(parents=True)
            for i in range(per_digit): Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(folder/split/str(digit)/f'{i}.png')
    return folder

def small_archive(tmp_path:Path, per_digit:int=2) -> Path:
    archive = tmp_path/'mnist_png.tgz'
    with tarfile.open(archive, 'w:gz') as tar: tar.add(small_mnist(tmp_path/'source', per_digit), arcname='mnist_png')
    return archive

def test_digit_stack_returns_a_copy_each_time(path):
    total = digit_stack(path, 4).sum()
    digit_stack(path, 4).mul_(0)
    digit_pixels(path, 4).zero_()
    assert digit_stack(path, 4).sum() == total and digit_stack(path, 4) is not digit_stack(path, 4)

@pytest.mark.parametrize('digit, error, words', [(3.0, TypeError, 'got float 3.0'), (True, TypeError, 'got bool True'),
                                                 (torch.tensor(3), TypeError, 'got Tensor tensor(3)'), ('x', TypeError, "got str 'x'"),
                                                 (11, ValueError, 'got 11'), (-1, ValueError, 'got -1'), (np.float32(3), TypeError, 'got float32')])
def test_a_bad_digit_raises_before_anything_is_cached(path, digit, error, words):
    before, cached = len(digit_stack(path, 3)), set(mnist._decoded)
    with pytest.raises(error, match='digit must be') as raised: digit_stack(path, digit)
    assert words in str(raised.value), raised.value
    assert len(digit_stack(path, 3)) == before and set(mnist._decoded) == cached

@pytest.mark.parametrize('split, error', [('valid', ValueError), (1, TypeError), (None, TypeError)])
def test_a_bad_split_raises(path, split, error):
    with pytest.raises(error, match=r"split must be one of \('training', 'testing'\), got"): digit_stack(path, 3, split)

@pytest.fixture
def home(tmp_path, monkeypatch):
    "A private FASTAI_HOME and cache folder, offline, with no MNIST archive named."
    from fastai.data.external import fastai_cfg
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path/'home'))
    monkeypatch.setenv('NEURALNETS101_CACHE', str(tmp_path/'cache'))
    monkeypatch.setenv(mnist.OFFLINE_ENV, '1')
    monkeypatch.delenv(mnist.MNIST_ENV, raising=False)
    fastai_cfg.cache_clear()
    yield tmp_path/'home'
    fastai_cfg.cache_clear()

def test_a_layout_without_images_is_never_installed_and_is_replaced(home, tmp_path, monkeypatch):
    empty = tmp_path/'empty'
    for split in SPLITS:
        for digit in DIGITS: (empty/split/str(digit)).mkdir(parents=True)
    with pytest.raises(ValueError, match='expected PNG images in every digit folder, got none in training/0'): install_mnist(empty)
    assert not mnist.fastai_mnist_dir().exists()
    (home/'data').mkdir(parents=True, exist_ok=True)
    os.rename(tmp_path/'empty', mnist.fastai_mnist_dir())                 # what an earlier version installed
    monkeypatch.setenv(mnist.MNIST_ENV, str(small_archive(tmp_path)))
    found = mnist.find_mnist()
    assert found.source == 'env' and set(mnist_counts(found.path).values()) == {2}

def test_leftovers_of_a_killed_run_are_removed_by_the_next(home, tmp_path, monkeypatch):
    data = home/'data'
    (data/'.mnist_png.partial-killed'/'extract'/'mnist_png'/'training').mkdir(parents=True)
    (data/'.mnist_png.partial-killed'/'extract'/'big.png').write_bytes(b'x'*1000)
    monkeypatch.setenv(mnist.MNIST_ENV, str(small_archive(tmp_path)))
    found = mnist.find_mnist()
    assert sorted(p.name for p in data.iterdir() if p.name.startswith('.mnist_png.partial')) == []
    assert set(mnist_counts(found.path).values()) == {2}
    cache = tmp_path/'cache'
    cache.mkdir(exist_ok=True)
    (cache/'.training-3-abc.pt.killed').write_bytes(b'half')
    assert len(digit_pixels(found.path, 3)) == 2
    assert list(cache.glob('.*.pt.*')) == []

CONCURRENT = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from neuralnets101 import mnist
    extract = mnist._extract_archive
    def logged(archive, into):
        with open(sys.argv[3], 'a') as log: log.write('extracting\\n')
        time.sleep(1)   # long enough for the other runs to arrive while this one extracts
        return extract(archive, into)
    mnist._extract_archive = logged
    dest = mnist.install_mnist(sys.argv[1], Path(sys.argv[2]))
    print(sum(mnist.mnist_counts(dest).values()))
''')

def test_three_concurrent_first_runs_extract_once(tmp_path):
    archive, dest, log = small_archive(tmp_path, per_digit=3), tmp_path/'data'/'mnist_png', tmp_path/'extractions.log'
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    runs = [subprocess.Popen([sys.executable, '-c', CONCURRENT, str(archive), str(dest), str(log)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    assert [out.strip().splitlines()[-1] for out, _ in outputs] == ['60']*3   # after the one-time unpacking notice, if any
    assert log.read_text().count('extracting') == 1
    assert sorted(p.name for p in dest.parent.iterdir()) == ['.mnist_png.lock', 'mnist_png']

def test_a_damaged_cache_is_rebuilt(path, tmp_path, monkeypatch):
    monkeypatch.setenv('NEURALNETS101_CACHE', str(tmp_path/'cache'))
    monkeypatch.setattr(mnist, '_decoded', {})
    fives, sixes = digit_pixels(path, 5, 'testing'), digit_pixels(path, 6, 'testing')
    (five_file,), (six_file,) = (tmp_path/'cache').glob('testing-5-*.pt'), (tmp_path/'cache').glob('testing-6-*.pt')
    saved = torch.load(five_file, weights_only=True)
    saved['pixels'][0, 14, 14] ^= 1
    torch.save(saved, five_file)                                       # one pixel changed, the file reads fine
    mnist._decoded.clear()
    assert torch.equal(digit_pixels(path, 5, 'testing'), fives)
    if len(fives) == len(sixes):                                       # another digit's cache of the same shape
        five_file.write_bytes(six_file.read_bytes())
        mnist._decoded.clear()
        assert torch.equal(digit_pixels(path, 5, 'testing'), fives)
    five_file.write_bytes(torch.load(five_file, weights_only=True)['pixels'].numpy().tobytes()[:5000])   # garbage
    mnist._decoded.clear()
    assert torch.equal(digit_pixels(path, 5, 'testing'), fives)
    assert torch.equal(torch.load(five_file, weights_only=True)['pixels'], fives)

def test_a_read_only_data_folder_gets_one_clear_error(home, tmp_path, monkeypatch):
    def refuse(*args, **kwargs): raise PermissionError(13, 'Permission denied')
    monkeypatch.setattr(mnist.tempfile, 'mkdtemp', refuse)
    with pytest.raises(PermissionError, match='the course needs to write here but the folder is read-only; point FASTAI_HOME'):
        install_mnist(small_archive(tmp_path))

@pytest.mark.skipif(os.geteuid() == 0, reason='root writes into read-only folders anyway')
def test_a_really_read_only_folder(home, tmp_path):
    (home/'data').mkdir(parents=True)
    os.chmod(home/'data', 0o555)
    try:
        with pytest.raises(PermissionError, match='read-only'): install_mnist(small_archive(tmp_path))
    finally: os.chmod(home/'data', 0o755)

def test_read_only_cache_keeps_pixels_in_memory(path, tmp_path, monkeypatch):
    monkeypatch.setenv('NEURALNETS101_CACHE', str(tmp_path/'cache'))
    monkeypatch.setattr(mnist, '_decoded', {})
    monkeypatch.setattr(mnist, '_unwritable_warned', [])
    def refuse(*args, **kwargs): raise PermissionError(13, 'Permission denied')
    monkeypatch.setattr(mnist.tempfile, 'mkstemp', refuse)
    with pytest.warns(UserWarning, match='read-only; point FASTAI_HOME'): assert len(digit_pixels(path, 2, 'testing')) > 0
    assert len(digit_pixels(path, 2, 'testing')) > 0

KILLED = textwrap.dedent('''
    import warnings
    from neuralnets101.mnist import find_mnist
    print(find_mnist())
''')

@pytest.mark.full_mnist
def test_killed_full_extraction_is_cleaned_up_and_the_next_run_gets_all_of_mnist(full_mnist_archive, tmp_path):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'FASTAI_HOME': str(tmp_path/'home'), 'NEURALNETS101_CACHE': str(tmp_path/'cache'),
           'NEURALNETS101_MNIST': str(full_mnist_archive), 'NEURALNETS101_OFFLINE': '1'}
    data = tmp_path/'home'/'data'
    first = subprocess.Popen([sys.executable, '-c', KILLED], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline and first.poll() is None:   # wait until it is well into the extraction
        partial = list(data.glob('.mnist_png.partial-*'))
        if partial and sum(1 for _ in partial[0].rglob('*.png')) > 2000: break
        time.sleep(0.2)
    assert first.poll() is None, 'the extraction finished before it could be killed'
    first.send_signal(signal.SIGKILL); first.wait()
    assert list(data.glob('.mnist_png.partial-*')) and not (data/'mnist_png').exists()
    second = subprocess.run([sys.executable, '-c', KILLED], env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert list(data.glob('.mnist_png.partial-*')) == []
    counts = mnist_counts(data/'mnist_png')
    assert {split: [counts[split, d] for d in DIGITS] for split in SPLITS} == FULL_COUNTS
    assert sum(counts[('training', d)] for d in DIGITS) == 60_000 and sum(counts[('testing', d)] for d in DIGITS) == 10_000

@pytest.mark.parametrize('content', ['bare tensor', 'dict without keys', 'dict of wrong types', 'list', 'sparse pixels', 'garbage'])
@pytest.mark.filterwarnings('ignore:Validating sparse tensor invariants:UserWarning')   # torch's note on the sparse file planted here
def test_a_cache_in_any_other_format_is_decoded_again(path, tmp_path, monkeypatch, content):
    "A cache file written by another version of the package, or damaged, is never trusted and never raises: it is rebuilt."
    monkeypatch.setenv('NEURALNETS101_CACHE', str(tmp_path/'cache'))
    monkeypatch.setattr(mnist, '_decoded', {})
    fives = digit_pixels(path, 5, 'testing')
    (five_file,) = (tmp_path/'cache').glob('testing-5-*.pt')
    key = torch.load(five_file, weights_only=True)['key']
    if content == 'garbage': five_file.write_bytes(b'\x00not a torch file')
    else:
        torch.save({'bare tensor': fives, 'dict without keys': {'pixels': fives}, 'list': [1, 2],
                    'dict of wrong types': {'key': 5, 'sha256': None, 'pixels': 'x'},
                    'sparse pixels': {'key': key, 'sha256': 'x', 'pixels': fives.to_sparse()}}[content], five_file)
    mnist._decoded.clear()
    assert torch.equal(digit_pixels(path, 5, 'testing'), fives)
    assert torch.equal(torch.load(five_file, weights_only=True)['pixels'], fives)   # and written again in this version's format
