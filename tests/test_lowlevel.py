"Tests of chapter 4's module, `neuralnets101.lowlevel`, on the MNIST that `find_mnist` finds (the offline subset without a network)."
import pytest, torch

fastai = pytest.importorskip('fastai')
from fastai.vision.all import set_seed, DataLoaders, Path
from neuralnets101.lowlevel import mnist_items, mnist_datasets, mnist_dls, mnist_cnn, mnist_learner

def test_items_and_datasets(path):
    items = mnist_items(path)
    dsets = mnist_datasets(path)
    assert len(dsets.train) + len(dsets.valid) == len(items)
    assert dsets.vocab == [str(d) for d in range(10)]
    assert all(Path(f).parent.parent.name == 'testing' for f in dsets.valid.items)

def test_wrong_folder_is_refused_by_name(path):
    with pytest.raises(ValueError, match=r"training: expected an MNIST folder with training/<0-9>/ and testing/<0-9>/, got \['0', '1'"):
        mnist_items(path/'training')
    with pytest.raises(ValueError, match='no such folder'): mnist_items(path/'nowhere')

def test_batches(path):
    dls = mnist_dls(path, bs=64)
    xb, yb = dls.one_batch()
    assert xb.shape == (64, 1, 28, 28) and yb.shape == (64,)
    assert abs(xb.mean()) < 0.3 and abs(xb.std() - 1) < 0.3
    assert mnist_cnn()(xb.cpu()).shape == (64, 10)
    valid = dls.valid.one_batch()[0]
    assert torch.equal(valid, dls.valid.one_batch()[0]), "validation images are not augmented"

def _short_training(path, threads):
    "Validation loss and accuracy after one epoch on 1,024 training images, as chapter 4 trains."
    torch.set_num_threads(threads)
    set_seed(42, reproducible=True)
    dls = mnist_dls(path)
    dls = DataLoaders(dls.train.new(n=1024), dls.valid.new(n=512))
    dls.train.one_batch()
    set_seed(42, reproducible=True)
    learn = mnist_learner(dls)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(1, 1e-2)
        return [float(v) for v in learn.validate()]

def test_same_seed_same_result(path):
    "Chapter 4 promises the same accuracy for the same seed: the seed is set before the DataLoaders are built."
    threads = torch.get_num_threads()
    try: first, second = _short_training(path, 1), _short_training(path, 1)
    finally: torch.set_num_threads(threads)
    assert first == second, (first, second)
    assert first[1] > 0.25, first   # well above chance (0.1) after 8 steps
