"""PyTorch CPU reference for bench/wasm/train-step.ts: GapNet-PL (hpa-domain.md §4) training steps.

Same network as createModel('gapnet-pl'): 3x3 convs with bias and SELU, stride-2 convs padded 1 px
on every side, max-pools 2x2 stride 2, GAP taps (32 + 64 + 128) -> FC 256 SELU -> AlphaDropout .3 ->
FC 256 SELU -> AlphaDropout .3 -> FC 28 sigmoid; BCE; Adam 1e-3. Prints one JSON line.
Run with Debian's /usr/bin/python3 (torch CPU).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


class GapNetPL(nn.Module):
    def __init__(self, channels=4, classes=28):
        super().__init__()
        def conv(cin, cout, stride):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.SELU())
        self.block1 = nn.Sequential(conv(channels, 32, 2), nn.MaxPool2d(2, 2, ceil_mode=True))
        self.block2 = nn.Sequential(conv(32, 64, 2), conv(64, 64, 1), conv(64, 64, 1), conv(64, 64, 1), nn.MaxPool2d(2, 2, ceil_mode=True))
        self.block3 = nn.Sequential(conv(64, 128, 1), conv(128, 128, 1), conv(128, 128, 1))
        self.head = nn.Sequential(
            nn.Linear(224, 256), nn.SELU(), nn.AlphaDropout(0.3),
            nn.Linear(256, 256), nn.SELU(), nn.AlphaDropout(0.3),
            nn.Linear(256, classes), nn.Sigmoid())

    def forward(self, x):
        f1 = self.block1(x)
        f2 = self.block2(f1)
        f3 = self.block3(f2)
        gaps = [f.mean(dim=(2, 3)) for f in (f1, f2, f3)]
        return self.head(torch.cat(gaps, dim=1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=7)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = GapNetPL()
    params = sum(t.numel() for t in model.parameters())
    assert params == 630_076, params
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x = torch.randn(a.batch, 4, a.size, a.size)
    y = (torch.rand(a.batch, 28) > 0.8).float()
    model.train()
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    print(json.dumps({
        'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params,
        'stepMs': times, 'medianMs': med, 'imgPerS': a.batch * 1000 / med,
    }))


if __name__ == '__main__':
    main()
