"""Tests of chapter 3 on real MNIST 3s and 7s (the offline subset without a network; full MNIST with
NEURALNETS101_MNIST and FASTAI_HOME set): the functions it exports and the claims its prose makes
(its retraining slider: tests/test_widgets.py)."""
import math, re
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pytest, torch
from torch import nn, tensor
from fastcore.test import test_eq as check_eq, test_close as check_close, test_fail as check_fail
from fastai.torch_core import set_seed
from neuralnets101.data import mnist_path, digit_stack
from neuralnets101.sgd import *

@pytest.fixture(scope='module')
def data():
    path = mnist_path()
    return (*inputs_and_labels(digit_stack(path, 3), digit_stack(path, 7)),
            *inputs_and_labels(digit_stack(path, 3, 'testing'), digit_stack(path, 7, 'testing')))

def full_mnist(data): return len(data[0]) > 5000

def final_accuracy(data, make_model, lr, epochs, seed=42):
    "Chapter 3's recipe: set_seed, fresh DataLoaders, a fresh model, BasicOptim."
    set_seed(seed)
    train_dl, valid_dl = get_dls(*data)
    model, params = make_model()
    return train_model(model, train_dl, valid_dl, BasicOptim(params, lr), epochs, show_progress=False).valid_accuracy[-1]

def make_linear1(std=0.01):
    def make():
        weights, bias = init_params((28*28, 1), std), init_params(1, std)
        return (lambda xb: linear1(xb, weights, bias)), [weights, bias]
    return make
def make_nn_linear():
    model = nn.Linear(28*28, 1); return model, list(model.parameters())
def make_simple_net():
    net = simple_net(); return net, list(net.parameters())

# --- the toy problem ---
def test_toy_problem_learns_with_lr_01_and_blows_up_with_lr_02():
    times, speeds = speed_data()
    torch.manual_seed(1); params = torch.randn(3).requires_grad_()
    losses = [apply_step(params, quadratic, times, speeds, lr=0.1) for _ in range(1001)]
    assert losses[-1] < 0.05*losses[0]
    assert all(later <= earlier + 1e-6 for earlier, later in zip(losses, losses[1:]))
    check_close(params.detach(), tensor([6., -14.4, 10.64]), eps=2)
    torch.manual_seed(1); params = torch.randn(3).requires_grad_()
    losses = [apply_step(params, quadratic, times, speeds, lr=0.2) for _ in range(400)]
    first_infinite = next(step for step, loss in enumerate(losses) if not math.isfinite(loss))
    assert 100 < first_infinite < 400 and losses[20] > 10*losses[0] and losses[100] > 1e9, (first_infinite, losses[20], losses[100])

# --- the functions, with their errors ---
def test_inputs_and_labels(data):
    train_x, train_y = data[:2]
    check_eq(train_x.shape, (len(train_y), 784)); check_eq(train_y.shape, (len(train_y), 1))
    check_eq(set(train_y.flatten().tolist()), {0., 1.})
    check_fail(lambda: inputs_and_labels(train_x, train_x), contains='expected a stack of shape (n, 28, 28), got')

def test_linear1_and_check_batch(data):
    weights, bias = init_params((28*28, 1)), init_params(1)
    check_eq(linear1(data[0][:7], weights, bias).shape, (7, 1))
    check_fail(lambda: linear1(data[0][:5].view(5, 28, 28), weights, bias), contains='expected a batch of shape (n, 784), got (5, 28, 28)')
    check_fail(lambda: calc_grad(data[0][:8], data[1][:3], lambda xb: linear1(xb, weights, bias)), contains='got 8 inputs and 3 targets')

def test_mnist_loss_and_batch_accuracy():
    scores, answers = tensor([3.0, -0.5, 0.2]), tensor([1, 0, 0])
    check_close(mnist_loss(scores, answers), ((1 - scores[0].sigmoid()) + scores[1].sigmoid() + scores[2].sigmoid())/3)
    check_fail(lambda: mnist_loss(scores, tensor([1, 0])), contains='same shape')
    check_fail(lambda: mnist_loss(scores.unsqueeze(1), answers), contains='would broadcast to (n, n)')
    check_close(batch_accuracy(tensor([[2.], [-1.], [0.5], [-3.]]), tensor([[1], [1], [0], [0]])), 0.5)
    check_fail(lambda: batch_accuracy(tensor([[2.], [-1.]]), tensor([1, 1])), contains='same shape')

def test_get_dls(data):
    train_dl, valid_dl = get_dls(*data, bs=64)
    xb, yb = train_dl.one_batch()
    check_eq((xb.shape, yb.shape), ((64, 784), (64, 1)))
    check_eq(sum(len(xb) for xb, _ in valid_dl), len(data[2]))
    first, again = next(iter(valid_dl))[0], next(iter(valid_dl))[0]
    check_eq(first, again)   # validation batches come in order

def test_train_model_errors(data):
    train_dl, valid_dl = get_dls(*data)
    model, params = make_linear1()()
    check_fail(lambda: train_model(model, train_dl, valid_dl, BasicOptim(params, 1.), epochs=0), contains='epochs must be at least 1, got 0')
    check_fail(lambda: train_model(model, train_dl, valid_dl, BasicOptim(params, 1e40), epochs=2, show_progress=False),
               contains='training diverged at learning rate 1e+40')

# --- the claims of the prose ---
def test_accuracy_does_not_move_when_a_weight_that_matters_moves(data):
    train_x, train_y = data[:2]
    busiest = train_x.mean(0).argmax().item()
    assert (train_x[:, busiest] > 0).float().mean() > 0.5
    torch.manual_seed(42)
    weights, bias = init_params((28*28, 1)), init_params(1)
    accuracy = lambda: ((linear1(train_x, weights, bias) > 0).float() == train_y).float().mean().item()
    scores, before = linear1(train_x, weights, bias), accuracy()
    with torch.no_grad(): weights[busiest] += 1e-6
    assert (linear1(train_x, weights, bias) != scores).float().mean() > 0.5
    check_eq(accuracy(), before)

def test_std_1_saturates_the_sigmoid_and_std_001_does_not(data):
    torch.manual_seed(42)
    saturated = lambda std: ((linear1(data[0], init_params((784, 1), std), init_params(1, std)).sigmoid() - 0.5).abs() > 0.49).float().mean()
    assert saturated(1.) > 0.5 and saturated(0.01) == 0

def test_linear1_and_nn_linear_agree_and_std_1_falls_behind(data):
    linear_acc = final_accuracy(data, make_linear1(), 1., 20)
    nn_linear_acc = final_accuracy(data, make_nn_linear, 1., 20)
    assert round(abs(linear_acc - nn_linear_acc), 4) <= 0.005, (linear_acc, nn_linear_acc)
    assert linear_acc > 0.95
    assert final_accuracy(data, make_linear1(1.), 1., 20) < min(linear_acc, nn_linear_acc), "std 1 should end behind"

def test_hidden_layer(data):
    net_acc = final_accuracy(data, make_simple_net, 2., 40)
    assert net_acc > 0.95
    if full_mnist(data): assert net_acc > final_accuracy(data, make_nn_linear, 1., 20) + 0.003
