"Tests of chapter 5's module, `neuralnets101.faster`, on the MNIST that `find_mnist` finds (the offline subset without a network)."
import shutil, tempfile, types
import pytest, torch
from PIL import Image

fastai = pytest.importorskip('fastai')
from fastai.vision.all import set_seed, TensorImageBW, Path
from neuralnets101.mnist import digit_pixels, DIGITS
from neuralnets101.lowlevel import mnist_dls
from neuralnets101.faster import (RandomShift, cached_mnist_dls, dataset_pixels, final_learner, time_compute, time_data_pass,
                                  BFloat16, cpu_has_bfloat16, final_cnn, idle_cores, threads_for_idle_cores, IdleCoreThreads,
                                  CleanLastEpoch, save_final_model, fused_adamw)
from neuralnets101.bench import busy_processes, usable_cores
from fastai.callback.core import Callback
from fastai.optimizer import Adam, OptimWrapper
import neuralnets101.faster as faster

@pytest.fixture(scope='module')
def fast_dls(path): return cached_mnist_dls(path, bs=64)

def test_random_shift_moves_training_images_only():
    dots = torch.zeros(32, 1, 28, 28, dtype=torch.uint8); dots[:, 0, 14, 14] = 255
    shifted = RandomShift(3)(TensorImageBW(dots), split_idx=0)
    assert type(shifted) is TensorImageBW and shifted.shape == dots.shape
    assert (shifted == 255).sum() == 32
    assert torch.equal(RandomShift(3)(TensorImageBW(dots), split_idx=1), dots)
    assert torch.equal(RandomShift(0)(TensorImageBW(dots), split_idx=0), dots)

def test_random_shift_cuts_a_window_of_the_padded_image(path):
    "Every shifted image is exactly one 28×28 window of its zero-padded original, at most 3 pixels off, and stays uint8."
    images = digit_pixels(path, 8, 'testing')[:64, None]
    set_seed(0)
    shifted = RandomShift(3)(TensorImageBW(images), split_idx=0)
    assert shifted.dtype == torch.uint8
    padded = torch.nn.functional.pad(images, (3, 3, 3, 3))
    offsets = []
    for image, original in zip(shifted, padded):
        matches = [(r, c) for r in range(7) for c in range(7) if torch.equal(original[:, r:r+28, c:c+28], image)]
        assert matches, "a shifted image is not a window of the padded original"
        offsets.append(matches[0])
    assert len(set(offsets)) > 10   # images move differently

def test_fast_batches_match_the_per_item_pipeline(path, fast_dls):
    dls = mnist_dls(path, bs=64)
    assert len(fast_dls.train) == len(dls.train) and len(fast_dls.valid) == len(dls.valid)
    assert fast_dls.vocab == dls.vocab
    xb, yb = fast_dls.one_batch()
    assert xb.shape == (64, 1, 28, 28) and type(xb) is TensorImageBW
    fast_valid, per_item_valid = fast_dls.valid.one_batch(), dls.valid.one_batch()
    assert torch.equal(fast_valid[1], per_item_valid[1])
    assert (fast_dls.valid.decode(fast_valid)[0].float() - dls.valid.decode(per_item_valid)[0].float()).abs().max() <= 1
    assert fast_dls.train.new(shuffle=False).pixels is not None
    assert fast_dls.train.pixels.dtype == torch.uint8

def test_bad_images_are_named(path):
    broken = Path(tempfile.mkdtemp())/'mnist'
    try:
        for split in ('training', 'testing'):
            for digit in DIGITS:
                (broken/split/str(digit)).mkdir(parents=True)
                Image.fromarray(digit_pixels(path, digit, split)[0].numpy()).save(broken/split/str(digit)/'0.png')
        assert len(cached_mnist_dls(broken, bs=4).train.pixels) == 10
        Image.new('L', (30, 30)).save(broken/'training'/'5'/'wide.png')
        with pytest.raises(ValueError, match='wide.png: expected a 28×28 image, got 30×30'): cached_mnist_dls(broken, bs=4)
        (broken/'training'/'5'/'wide.png').unlink()
        (broken/'testing'/'2'/'junk.png').write_bytes(b'not an image')
        with pytest.raises(ValueError, match='junk.png: expected a readable image'): cached_mnist_dls(broken, bs=4)
        (broken/'testing'/'2'/'junk.png').unlink()
        with pytest.raises(ValueError, match='not an image of the MNIST folder'): dataset_pixels([broken/'elsewhere.png'], broken)
    finally: shutil.rmtree(broken.parent)

def test_timing_helpers_count_images(fast_dls):
    seconds, images = time_data_pass(fast_dls.train, max_batches=3)
    assert images == 3*64 and seconds > 0
    learn = final_learner(fast_dls)
    before = [p.detach().clone() for p in learn.model.parameters()]
    assert time_compute(learn, [fast_dls.train.one_batch()], [fast_dls.valid.one_batch()]) > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, learn.model.parameters())), "time_compute must take real steps"

def test_bfloat16_keeps_weights_gradients_and_outputs_in_float32():
    torch.manual_seed(0)
    model = final_cnn(res_after=(1,)).eval()
    images = torch.randn(8, 1, 28, 28)
    wrapped = BFloat16(model)
    scores, plain_scores = wrapped(images), model(images)
    assert scores.dtype == torch.float32 and scores.shape == (8, 10)
    assert 0 < (scores - plain_scores).abs().max() < 0.05 * plain_scores.abs().max(), "bfloat16 rounds, a little"
    assert [p for p in wrapped.parameters()] == [p for p in model.parameters()]
    scores.sum().backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in model.parameters())

def test_final_learner_computes_in_bfloat16_where_the_processor_has_it(fast_dls, monkeypatch):
    assert isinstance(final_learner(fast_dls).model, BFloat16) == cpu_has_bfloat16()
    assert isinstance(final_learner(fast_dls, bfloat16=True).model, BFloat16)
    assert not isinstance(final_learner(fast_dls, bfloat16=False).model, BFloat16)
    monkeypatch.setattr(faster, 'cpu_has_bfloat16', lambda: False)
    assert not isinstance(final_learner(fast_dls).model, BFloat16)
    monkeypatch.setattr(faster, 'cpu_has_bfloat16', lambda: True)
    assert isinstance(final_learner(fast_dls).model, BFloat16)

def test_final_learner_on_a_gpu_uses_the_fused_optimiser_and_no_channels_last(fast_dls):
    "Where the batches live decides: on a CPU fastai's Adam, channels_last and maybe bfloat16; on a GPU fused AdamW in float32."
    def channels_last(learn):   # a convolution with several input channels (one channel looks contiguous either way)
        conv = next(m for m in learn.model.modules() if isinstance(m, torch.nn.Conv2d) and m.in_channels > 1)
        return conv.weight.is_contiguous(memory_format=torch.channels_last)
    learn = final_learner(fast_dls)
    assert learn.opt_func is Adam and channels_last(learn)
    on_gpu = types.SimpleNamespace(device=torch.device('cuda'), path=Path('.'))   # what final_learner reads of a GPU's DataLoaders
    learn = final_learner(on_gpu)
    assert learn.opt_func is fused_adamw and not isinstance(learn.model, BFloat16) and not channels_last(learn)
    assert channels_last(final_learner(on_gpu, channels_last=True))

def test_fused_adamw_steps_as_fastais_adam():
    "Same start, same gradients, the schedule's learning rate and momentum set on both: the same weights after 20 steps."
    torch.manual_seed(0)
    fastai_model, fused_model = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    fused_model.load_state_dict(fastai_model.state_dict())
    optimisers = Adam(fastai_model.parameters(), lr=1e-2), fused_adamw(fused_model.parameters(), lr=1e-2)
    assert isinstance(optimisers[1], OptimWrapper)
    for opt in optimisers: opt.set_hypers(lr=3e-2, mom=0.85)   # as fit_one_cycle does before every step
    for step in range(20):
        x = torch.randn(8, 5)
        for model, opt in zip((fastai_model, fused_model), optimisers):
            model(x).pow(2).mean().backward(); opt.step(); opt.zero_grad()
    assert (fused_model.weight - fastai_model.weight).abs().max() < 1e-6
    assert (fused_model.weight - torch.nn.Linear(5, 3).weight).abs().max() > 0.01   # they did move
    group = optimisers[1].opt.param_groups[0]
    assert (group['betas'], group['eps'], group['weight_decay'], group['lr']) == ((0.85, 0.99), 1e-5, 0.01, 3e-2)

def test_no_bfloat16_without_pytorchs_processor_checks(monkeypatch):
    for name in ('_is_avx512_bf16_supported', '_is_amx_tile_supported'): monkeypatch.delattr(torch.cpu, name, raising=False)
    assert cpu_has_bfloat16() is False

def test_save_and_load_weights_only(fast_dls, path, tmp_path):
    "Chapter 5 saves a state dict with its normalisation; chapter 6 rebuilds the model from code and reads as well as the trained one."
    from neuralnets101.faster import save_final_model
    from neuralnets101.handwriting import course_model
    from neuralnets101.draw import DigitReader
    set_seed(42, reproducible=True)
    learn = final_learner(fast_dls)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 1e-2)
    fname = save_final_model(learn, tmp_path/'final.pth')
    saved = torch.load(fname, weights_only=True)   # would raise on anything but tensors, numbers and strings
    assert sorted(saved) == ['mean', 'std', 'vocab', 'weights'] and saved['vocab'] == [str(d) for d in DIGITS]
    assert fname.stat().st_size < 20e6
    loaded = course_model(weights=fname)
    threes = digit_pixels(path, 3, 'testing')[:20].float()/255
    assert (DigitReader(loaded)(threes).argmax(1) == DigitReader(learn)(threes).argmax(1)).all()
    assert (DigitReader(loaded)(threes).argmax(1) == 3).sum() >= 15
    torch.save({'weights': {'nonsense': torch.zeros(1)}, 'mean': 0., 'std': 1., 'vocab': saved['vocab']}, tmp_path/'other.pth')
    with pytest.raises(ValueError, match="expected the weights of chapter 5's final model"): course_model(weights=tmp_path/'other.pth')

class Watch(Callback):
    "Records, for each training epoch, PyTorch's thread count and whether the batches go through `RandomShift`."
    order = 50
    def before_fit(self): self.threads, self.shifted = [], []
    def before_train(self):
        self.threads.append(torch.get_num_threads())
        self.shifted.append(any(isinstance(tfm, RandomShift) for tfm in self.dl.after_batch.fs))

def short_fit(learn, epochs:int, watch:Watch):
    learn.dls = type(learn.dls)(learn.dls.train.new(n=128), learn.dls.valid.new(n=64))
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, 1e-2, cbs=watch)

def test_idle_cores_sees_busy_cores():
    cores = len(usable_cores())
    assert 0 <= idle_cores() <= cores
    with busy_processes(cores):
        assert idle_cores(0.3) < 0.5
        assert threads_for_idle_cores() == 1

def test_threads_follow_the_idle_cores_and_come_back(fast_dls):
    before, watch = torch.get_num_threads(), Watch()
    short_fit(final_learner(fast_dls, threads=1), 2, watch)
    assert watch.threads == [1, 1] and torch.get_num_threads() == before
    with busy_processes(len(usable_cores())): short_fit(final_learner(fast_dls), 1, watch)
    assert watch.threads == [1] and torch.get_num_threads() == before
    learn = final_learner(fast_dls, threads=2)
    short_fit(learn, 1, watch)
    assert watch.threads == [2] and learn.idle_core_threads.threads_used == 2

def test_the_last_epoch_trains_without_shifts(fast_dls):
    watch = Watch()
    learn = final_learner(fast_dls, threads=1)
    short_fit(learn, 3, watch)
    assert watch.shifted == [True, True, False]
    assert any(isinstance(tfm, RandomShift) for tfm in learn.dls.train.after_batch.fs), "the data loaders keep their shifts"
    short_fit(learn, 1, watch)
    assert watch.shifted == [False], "a single epoch is the last one"
