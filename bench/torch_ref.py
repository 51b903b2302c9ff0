"""PyTorch CPU references for `npm run bench` (bench/README.md). Prints one JSON line.

  python3 bench/torch_ref.py train --model gapnet-pl --size 128 --batch 16 [--threads 1] [--warmup 2] [--steps 5]
  python3 bench/torch_ref.py infer --model gapnet-pl --size 128 --batch 16 --views 1 [--runs 5]
  python3 bench/torch_ref.py decode --zip file.zip [--limit 200] [--resize 256]

The networks are the same as createModel('gapnet-pl') and createModel('gapnet-kaggle') (parameter
counts are printed and checked by the caller: 630,076 and 595,468 counting BatchNorm's running
mean/var as tfjs does), and each starts with the model's input normalisation as tfjs's does
(gapnet-pl: per image and channel (x − mean) / (std + 1e-7); gapnet-kaggle: x / 255; no gradient
flows to it). Differences that do not change the work much: TF 'same' padding on stride-2 convs pads bottom/right only, PyTorch pads 1 px each side
(same output shapes, same FLOPs). One training step = zero_grad + forward + BCE + backward + Adam.
`decode` is the single-process Python/PIL reference for ingest: read every PNG of train/ from the
zip, decode the four channels of each sample, stack them (and resize like the studio does).
Run with Debian's /usr/bin/python3 (torch CPU, PIL).
"""
import argparse
import io
import json
import statistics
import sys
import time
import zipfile


def gapnet_pl(torch, nn):
    class GapNetPL(nn.Module):
        def __init__(self):
            super().__init__()
            def conv(cin, cout, stride):
                return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.SELU())
            self.block1 = nn.Sequential(conv(4, 32, 2), nn.MaxPool2d(2, 2, ceil_mode=True))
            self.block2 = nn.Sequential(conv(32, 64, 2), conv(64, 64, 1), conv(64, 64, 1), conv(64, 64, 1), nn.MaxPool2d(2, 2, ceil_mode=True))
            self.block3 = nn.Sequential(conv(64, 128, 1), conv(128, 128, 1), conv(128, 128, 1))
            self.head = nn.Sequential(nn.Linear(224, 256), nn.SELU(), nn.AlphaDropout(0.3), nn.Linear(256, 256), nn.SELU(), nn.AlphaDropout(0.3), nn.Linear(256, 28), nn.Sigmoid())

        def forward(self, x):
            with torch.no_grad():  # the InputNormalization layer ('per-image')
                x = (x - x.mean(dim=(2, 3), keepdim=True)) / (x.std(dim=(2, 3), unbiased=False, keepdim=True) + 1e-7)
            f1 = self.block1(x)
            f2 = self.block2(f1)
            f3 = self.block3(f2)
            return self.head(torch.cat([f.mean(dim=(2, 3)) for f in (f1, f2, f3)], dim=1))
    return GapNetPL()


def gapnet_kaggle(torch, nn, size):
    valid = size >= 149  # as src/core/models/gapnet.ts kagglePadding('auto')
    pad = 0 if valid else 1

    class GapNetKaggle(nn.Module):
        def __init__(self):
            super().__init__()
            C = lambda cin, cout, s=1: nn.Sequential(nn.Conv2d(cin, cout, 3, stride=s, padding=pad), nn.ReLU())
            B = nn.BatchNorm2d
            P = lambda: nn.MaxPool2d(2, 2, ceil_mode=not valid)
            self.f1 = nn.Sequential(B(4), C(4, 32, 2), B(32), P(), nn.Dropout(0.3))
            self.f2 = nn.Sequential(B(32), C(32, 64, 2), B(64), C(64, 64), B(64), C(64, 64), B(64), P(), nn.Dropout(0.3))
            self.f3 = nn.Sequential(B(64), C(64, 128), B(128), C(128, 128), B(128), C(128, 128), nn.Dropout(0.3))
            self.head = nn.Sequential(nn.Linear(224, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 28), nn.Sigmoid())

        def forward(self, x):
            a = self.f1(x / 255)  # the InputNormalization layer ('div255')
            b = self.f2(a)
            c = self.f3(b)
            return self.head(torch.cat([f.mean(dim=(2, 3)) for f in (a, b, c)], dim=1))
    return GapNetKaggle()


def build(name, size):
    import torch
    import torch.nn as nn
    model = gapnet_pl(torch, nn) if name == 'gapnet-pl' else gapnet_kaggle(torch, nn, size)
    params = sum(t.numel() for t in model.parameters())
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith('num_batches_tracked'))
    return torch, nn, model, params + buffers


def train(a):
    torch, nn, model, params = build(a.model, a.size)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
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
        times.append((time.perf_counter() - t0) * 1000)
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params, 'firstStepMs': times[0], 'stepMs': times[a.warmup:]}


def infer(a):
    torch, _, model, params = build(a.model, a.size)
    torch.set_num_threads(a.threads)
    model.eval()
    x = torch.rand(a.batch, 4, a.size, a.size)
    times = []
    with torch.no_grad():
        for i in range(a.warmup + a.runs):
            t0 = time.perf_counter()
            # TTA: the same views tfjs's predictTensor makes (flips/rotations), averaged
            outs = []
            for v in range(a.views):
                xv = x if v == 0 else torch.rot90(x, v % 4, dims=(2, 3)) if v < 4 else torch.flip(torch.rot90(x, v % 4, dims=(2, 3)), dims=(3,))
                outs.append(model(xv))
            torch.stack(outs).mean(0).sum().item()
            times.append((time.perf_counter() - t0) * 1000)
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params, 'batchMs': times[a.warmup:]}


def decode(a):
    import numpy as np
    from PIL import Image
    zf = zipfile.ZipFile(a.zip)
    names = sorted(n for n in zf.namelist() if '/train/' in '/' + n and n.endswith('_red.png'))
    if a.limit:
        names = names[:a.limit]
    t0 = time.perf_counter()
    nbytes = 0
    for n in names:
        base = n[:-len('_red.png')]
        chans = []
        for c in ('red', 'green', 'blue', 'yellow'):
            raw = zf.read(f'{base}_{c}.png')
            nbytes += len(raw)
            im = Image.open(io.BytesIO(raw))
            im = im.convert('L')
            if a.resize and im.size[0] != a.resize:
                im = im.resize((a.resize, a.resize), Image.BILINEAR)
            chans.append(np.asarray(im))
        np.stack(chans, axis=-1)
    s = time.perf_counter() - t0
    return {'samples': len(names), 'seconds': s, 'samplesPerS': len(names) / s, 'mbPerS': nbytes / 1e6 / s, 'pngBytes': nbytes}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['train', 'infer', 'decode'])
    p.add_argument('--model', default='gapnet-pl', choices=['gapnet-pl', 'gapnet-kaggle'])
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--views', type=int, default=1)
    p.add_argument('--zip')
    p.add_argument('--limit', type=int, default=0)
    p.add_argument('--resize', type=int, default=0)
    a = p.parse_args()
    out = train(a) if a.mode == 'train' else infer(a) if a.mode == 'infer' else decode(a)
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
