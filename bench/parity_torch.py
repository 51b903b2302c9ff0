"""The PyTorch side of the learning-parity job (`npm run bench -- --parity`, bench/parity.ts).

  /usr/bin/python3 bench/parity_torch.py --data DIR --split split.csv --init init.json --out OUT
      [--model gapnet-pl] [--loss focal] [--gamma 2] [--epochs 12] [--batch 16] [--lr 1e-3]
      [--lr-patience 3] [--lr-factor 0.5] [--seed 1] [--threads 1] [--no-augment] [--check-rows 16]

Trains the PyTorch GAPNet on the images bench/parity.ts wrote to DIR (decoded and resized once by
the studio's own zip readers, so the pixels are the same bytes the studio trains on), with the
train/validation split of split.csv (Id,role) and the studio's initial weights (init.json + .bin,
tfjs's names and layouts), and does what `hpa-studio train` does:

- input: uint8 RGBY, the model's own normalisation (gapnet-pl: per image and channel
  (x - mean) / (std + 1e-7), population std; gapnet-kaggle: x / 255);
- augmentation: each training image gets one of the 8 flips / quarter turns, uniformly
  (the studio: a quarter turn 0..3 and a flip 0..1), none for validation;
- every epoch the training rows shuffled, batches of --batch with the last one partial;
- loss: focal (gamma) or BCE, p clipped to [1e-7, 1 - 1e-7], mean over batch x classes;
- Adam, beta 0.9 / 0.999, epsilon 1e-7 (tfjs's float32 epsilon);
- after every epoch the validation loss and macro F1 at 0.5; ReduceLROnPlateau on val_loss as
  src/core/train/reduceLrOnPlateau.ts (strict improvement, patience, factor, no cooldown);
- the best epoch by val_loss (strict improvement, as bestLastCheckpoint) restored at the end, and
  its validation and test probabilities written.

Writes OUT/val-probs.csv and OUT/test-probs.csv (Id,0..27), OUT/history.json and OUT/result.json
(seconds, best epoch, the initial model's eval-mode probabilities of the first --check-rows
validation rows, so the caller can check the weights loaded into the same function).
What differs from the studio: the random streams (batch order, augmentation, dropout masks), the
kernels' float32 rounding, and for gapnet-kaggle BatchNorm's moving variance (PyTorch keeps the
unbiased batch variance, Keras the biased one; it only matters at evaluation).
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ref import gapnet_pl  # noqa: E402  the bench's GAPNet-PL, unchanged

EPS = 1e-7


def tf_same_pad(size, k, s):
    """TF 'same' padding of one axis: (before, after); the extra pixel goes after."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class GapNetKaggle(nn.Module):
    """createModel('gapnet-kaggle') with TF's padding ('same' below 149 px, else 'valid') and Keras's BatchNorm (momentum 0.99, epsilon 1e-3)."""

    def __init__(self, size):
        super().__init__()
        self.same = size < 149
        bn = lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)
        self.bn = nn.ModuleList([bn(c) for c in (4, 32, 32, 64, 64, 64, 64, 128, 128)])
        self.conv = nn.ModuleList([nn.Conv2d(i, o, 3, stride=s) for i, o, s in ((4, 32, 2), (32, 64, 2), (64, 64, 1), (64, 64, 1), (64, 128, 1), (128, 128, 1), (128, 128, 1))])
        self.fc = nn.ModuleList([nn.Linear(224, 256), nn.Linear(256, 256), nn.Linear(256, 28)])

    def c(self, i, x):
        conv = self.conv[i]
        if self.same:
            s = conv.stride[0]
            t, b = tf_same_pad(x.shape[2], 3, s)
            l, r = tf_same_pad(x.shape[3], 3, s)
            x = F.pad(x, (l, r, t, b))
        return F.relu(conv(x))

    def p(self, x):
        if self.same:
            t, b = tf_same_pad(x.shape[2], 2, 2)
            l, r = tf_same_pad(x.shape[3], 2, 2)
            x = F.pad(x, (l, r, t, b), value=float('-inf'))
        return F.max_pool2d(x, 2, 2)

    def forward(self, x):
        B, d = self.bn, lambda t, r: F.dropout(t, r, self.training)
        x = x / 255
        fm1 = d(self.p(B[1](self.c(0, B[0](x)))), 0.3)
        x = B[3](self.c(1, B[2](fm1)))
        x = B[4](self.c(2, x))
        fm2 = d(self.p(B[5](self.c(3, x))), 0.3)
        x = B[7](self.c(4, B[6](fm2)))
        x = B[8](self.c(5, x))
        fm3 = d(self.c(6, x), 0.3)
        h = torch.cat([f.mean(dim=(2, 3)) for f in (fm1, fm2, fm3)], dim=1)
        h = d(F.relu(self.fc[0](h)), 0.5)
        h = d(F.relu(self.fc[1](h)), 0.1)
        return torch.sigmoid(self.fc[2](h))


def load_init(model, name, path):
    """Copies the studio's initial weights (tfjs names: conv1/kernel [kh,kw,in,out], fc1/kernel [in,out], bn1/gamma...) into the model."""
    manifest = json.load(open(path))
    raw = np.fromfile(os.path.join(os.path.dirname(path), manifest['bin']), dtype='<f4')
    w = {e['name']: raw[e['offset']:e['offset'] + int(np.prod(e['shape']))].reshape(e['shape']) for e in manifest['weights']}
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    used = set()

    def take(key):
        used.add(key)
        return torch.from_numpy(np.ascontiguousarray(w[key]))

    with torch.no_grad():
        for i, m in enumerate(convs):
            m.weight.copy_(take(f'conv{i + 1}/kernel').permute(3, 2, 0, 1))
            m.bias.copy_(take(f'conv{i + 1}/bias'))
        for i, m in enumerate(linears):
            m.weight.copy_(take(f'fc{i + 1}/kernel').t())
            m.bias.copy_(take(f'fc{i + 1}/bias'))
        if name == 'gapnet-kaggle':
            for i, m in enumerate(model.bn):
                m.weight.copy_(take(f'bn{i + 1}/gamma'))
                m.bias.copy_(take(f'bn{i + 1}/beta'))
                m.running_mean.copy_(take(f'bn{i + 1}/moving_mean'))
                m.running_var.copy_(take(f'bn{i + 1}/moving_variance'))
    unused = sorted(set(w) - used)
    if unused:
        raise SystemExit(f'{path}: weights not loaded: {", ".join(unused)}')
    return len(used)


def load_data(d):
    meta = json.load(open(os.path.join(d, 'meta.json')))
    s, c, k = meta['size'], meta['channels'], meta['classes']
    def part(p):
        n = len(meta[p]['ids'])
        x = np.fromfile(os.path.join(d, f'{p}.u8'), dtype=np.uint8).reshape(n, s, s, c)
        y = np.fromfile(os.path.join(d, f'{p}-labels.u8'), dtype=np.uint8).reshape(n, k)
        return meta[p]['ids'], torch.from_numpy(x).permute(0, 3, 1, 2).float(), torch.from_numpy(y).float()
    return meta, part('train'), part('test')


def dihedral(x, k):
    """One of the 8 flips / quarter turns of a [C, H, W] image: k = turn + 4 * flip."""
    if k >= 4:
        x = torch.flip(x, dims=(2,))
    return torch.rot90(x, k % 4, dims=(1, 2))


def loss_fn(kind, gamma):
    def f(p, y):
        p = p.clamp(EPS, 1 - EPS)
        pt = y * p + (1 - y) * (1 - p)
        e = -torch.log(pt)
        if kind == 'focal' and gamma != 0:
            e = (1 - pt) ** gamma * e
        return e.mean()
    return f


def improves(a, b):
    """logs.ts improves('val_loss', a, b): strictly lower; anything finite beats a first NaN."""
    return np.isfinite(a) if not np.isfinite(b) else a < b


def macro_f1(probs, truth, t=0.5):
    pred = probs >= t
    tp = (pred & (truth == 1)).sum(0)
    fp = (pred & (truth == 0)).sum(0)
    fn = (~pred & (truth == 1)).sum(0)
    d = 2 * tp + fp + fn
    return float(np.where(d > 0, 2 * tp / np.maximum(d, 1), 0).mean())


def predict(model, x, batch):
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(x), batch):
            out.append(model(x[s:s + batch]))
    return torch.cat(out)


def write_probs(path, ids, probs):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['Id'] + [str(c) for c in range(probs.shape[1])])
        for i, row in zip(ids, probs.tolist()):
            w.writerow([i] + [f'{v:.9g}' for v in row])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--split', required=True)
    ap.add_argument('--init')
    ap.add_argument('--out', required=True)
    ap.add_argument('--model', default='gapnet-pl', choices=['gapnet-pl', 'gapnet-kaggle'])
    ap.add_argument('--loss', default='focal', choices=['focal', 'bce'])
    ap.add_argument('--gamma', type=float, default=2)
    ap.add_argument('--epochs', type=int, default=12)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--lr-patience', type=int, default=3)
    ap.add_argument('--lr-factor', type=float, default=0.5)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--no-augment', action='store_true')
    ap.add_argument('--check-rows', type=int, default=16)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    t0 = time.perf_counter()

    meta, (ids, x, y), (test_ids, test_x, test_y) = load_data(a.data)
    row = {i: r for r, i in enumerate(ids)}
    roles = {}
    with open(a.split) as f:
        for r in csv.DictReader(f):
            roles[r['Id']] = r['role']
    if set(roles) != set(ids):
        raise SystemExit(f'{a.split} does not list the same ids as the data ({len(roles)} vs {len(ids)})')
    train_rows = np.array([row[i] for i in ids if roles[i] == 'train'])
    val_rows = np.array([row[i] for i in ids if roles[i] == 'val'])  # in train.csv order, as the studio's
    val_ids = [ids[r] for r in val_rows]

    model = gapnet_pl(torch, nn) if a.model == 'gapnet-pl' else GapNetKaggle(meta['size'])
    loaded = load_init(model, a.model, a.init) if a.init else 0
    check = predict(model, x[val_rows[:a.check_rows]], a.batch).numpy()

    lf = loss_fn(a.loss, a.gamma)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=EPS)
    vx, vy = x[val_rows], y[val_rows]
    best, best_state, best_epoch = float('nan'), None, 0
    plateau_best, wait = float('nan'), 0
    history = []
    for epoch in range(1, a.epochs + 1):
        te = time.perf_counter()
        model.train()
        order = rng.permutation(train_rows)
        total, seen = 0.0, 0
        for s in range(0, len(order), a.batch):
            rows = order[s:s + a.batch]
            xb = x[rows]
            if not a.no_augment:
                ks = rng.integers(0, 4, len(rows)) + 4 * rng.integers(0, 2, len(rows))
                xb = torch.stack([dihedral(xb[i], int(k)) for i, k in enumerate(ks)])
            opt.zero_grad()
            loss = lf(model(xb), y[rows])
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
            seen += len(rows)
        vp = predict(model, vx, a.batch)
        val_loss = float(sum(lf(vp[s:s + a.batch], vy[s:s + a.batch]).item() * len(vp[s:s + a.batch]) for s in range(0, len(vp), a.batch)) / len(vp))
        lr = opt.param_groups[0]['lr']
        h = {'epoch': epoch, 'loss': total / seen, 'valLoss': val_loss, 'valMacroF1': macro_f1(vp.numpy(), vy.numpy()), 'learningRate': lr, 'seconds': time.perf_counter() - te}
        history.append(h)
        print(f"epoch {epoch}/{a.epochs} loss {h['loss']:.4f}  val_loss {val_loss:.4f}  val_macro_F1 {h['valMacroF1']:.4f}  lr {lr:.1e}  {h['seconds']:.1f} s", flush=True)
        if improves(val_loss, best):
            best, best_epoch = val_loss, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        if a.lr_patience:  # reduceLrOnPlateau.ts: onEpochEnd after the checkpoint, the new rate from the next epoch
            if improves(val_loss, plateau_best):
                plateau_best, wait = val_loss, 0
            else:
                wait += 1
                if wait >= a.lr_patience:
                    for g in opt.param_groups:
                        g['lr'] = g['lr'] * a.lr_factor
                    wait = 0

    if best_state is not None:  # as the CLI: no finite val_loss, no best checkpoint, the last weights
        model.load_state_dict(best_state)
    os.makedirs(a.out, exist_ok=True)
    write_probs(os.path.join(a.out, 'val-probs.csv'), val_ids, predict(model, vx, a.batch).numpy())
    write_probs(os.path.join(a.out, 'test-probs.csv'), test_ids, predict(model, test_x, a.batch).numpy())
    json.dump(history, open(os.path.join(a.out, 'history.json'), 'w'), indent=1)
    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'model': a.model,
        'initWeightsLoaded': loaded,
        'train': len(train_rows),
        'val': len(val_rows),
        'test': len(test_ids),
        'bestEpoch': best_epoch,
        'bestValLoss': best,
        'seconds': time.perf_counter() - t0,
        'checkIds': val_ids[:a.check_rows],
        'checkProbs': check.tolist(),
    }
    json.dump(result, open(os.path.join(a.out, 'result.json'), 'w'))
    print(json.dumps({k: v for k, v in result.items() if k not in ('checkProbs', 'checkIds')}))


if __name__ == '__main__':
    main()
