"""Deterministic Fashion-MNIST training shared by the model scripts: fixed seeds, a seeded
data order (one torch.Generator per run), one thread by default, deterministic kernels,
AdamW with a one-cycle learning-rate schedule, and evaluation in file order."""
import random
import time

import numpy as np
import torch
import torch.nn.functional as F


def make_deterministic(seed, threads=1):
    """Seeds python, numpy and torch; one (or `threads`) intra-op thread; deterministic ops."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def augment(x, gen, shift):
    """Random translation by up to `shift` pixels per image (zero fill), drawn from `gen`."""
    if shift == 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift))
    dy = torch.randint(0, 2 * shift + 1, (n, 1, 1), generator=gen)
    dx = torch.randint(0, 2 * shift + 1, (n, 1, 1), generator=gen)
    rows = dy + torch.arange(h)[None, :, None]  # [n, h, 1]
    cols = dx + torch.arange(w)[None, None, :]  # [n, 1, w]
    return padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)


def evaluate(model, x, y, batch=500):
    """(accuracy, logits float32 [N, 10]) of `model` in eval mode, in file order."""
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs.append(model(torch.from_numpy(x[i:i + batch])))
    logits = torch.cat(outs)
    return float((logits.argmax(1).numpy() == y).mean()), logits.numpy()


def train(model, data, hp, seed, log=print):
    """Trains `model` on data = (x_train, y_train, x_test, y_test) with hyper-parameters
    hp = {epochs, batch, lr, weight_decay, shift}; returns per-epoch history and times."""
    x_train, y_train, x_test, y_test = data
    gen = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    steps = hp["epochs"] * ((len(xt) + hp["batch"] - 1) // hp["batch"])
    opt = torch.optim.AdamW(model.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp["lr"], total_steps=steps)
    history, wall0, cpu0 = [], time.perf_counter(), time.process_time()
    for epoch in range(hp["epochs"]):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        loss_sum = 0.0
        for i in range(0, len(xt), hp["batch"]):
            idx = order[i:i + hp["batch"]]
            loss = F.cross_entropy(model(augment(xt[idx], gen, hp["shift"])), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(idx)
        acc, _ = evaluate(model, x_test, y_test)
        history.append({"epoch": epoch + 1, "train_loss": loss_sum / len(xt), "test_accuracy": acc,
                        "wall_s": time.perf_counter() - wall0})
        log(f"epoch {epoch + 1}/{hp['epochs']}: loss {loss_sum / len(xt):.4f} "
            f"test acc {acc:.4f} ({history[-1]['wall_s']:.0f} s)")
    return history, time.perf_counter() - wall0, time.process_time() - cpu0
