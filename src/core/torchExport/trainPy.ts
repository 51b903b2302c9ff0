/**
 * The generated train.py of "Export as a PyTorch project": the run's recipe (loss with γ and α,
 * sampler, augmentation, phases, Adam + ReduceLROnPlateau + early stopping, the split) as Python
 * constants, and a training loop with the studio's semantics (recipe.ts, trainer.ts, losses.ts,
 * sampling.ts, augment.ts, metrics.ts, thresholds.ts) under `torchrun` with DistributedDataParallel
 * and a DistributedSampler. Rank 0 writes history.csv, val_probs.csv, val_truth.csv,
 * thresholds.csv and a run report the studio's "Import report" reads (report.json + those files,
 * zipped as run_report.zip).
 */
import { pyConstants, type RecipeSpec } from './spec';

export function trainPy(recipe: RecipeSpec, about: string): string {
  const valFold = recipe.split.kind === 'kfold' ? recipe.split.fold : 0;
  const header = pyConstants([
    ['LOSS', recipe.loss, 'bce | focal | f1 | bce-then-f1 (BCE, then soft F1 on the dense head at LR / 10)'],
    ['GAMMA', recipe.gamma, 'focal gamma'],
    ['ALPHA', recipe.alpha, 'focal / BCE weighting: none, scalar (alpha for positives, 1 - alpha for negatives), or class weights'],
    ['SAMPLER', recipe.sampler, "none | rare (each row 1 + the rare classes' extra copies) | weights (drawn by inverse class frequency each epoch)"],
    ['AUGMENT', recipe.augment, 'random left-right mirror (flips) and quarter turns (rotate90), one of the 8 dihedral transforms per image'],
    ['BATCH_SIZE', recipe.batchSize, 'images per optimizer step over all processes'],
    ['LR', recipe.lr, 'Adam learning rate'],
    ['PLATEAU', recipe.plateau, 'ReduceLROnPlateau (factor, patience in epochs) on MONITOR; None = constant learning rate'],
    ['EARLY_STOP_PATIENCE', recipe.earlyStopPatience, 'epochs without improvement of MONITOR that end a phase; 0 = off'],
    ['MONITOR', recipe.monitor, 'val_loss | val_macro_f1: the schedule, early stopping and the best epoch follow it'],
    ['SPLIT', recipe.split, 'folds.csv holds every labelled id with its fold'],
    ['VAL_FOLD', valFold, 'the fold validated on (hold-out: fold 0 is the validation part)'],
    ['SEED', recipe.seed],
    ['PHASES', recipe.phases, 'each phase starts a fresh Adam'],
  ]);
  return `"""${about}

train.py: continue (or restart) the run with PyTorch, on one machine or several:

    torchrun --nproc_per_node 4 train.py --data /data/hpa          # one node, 4 processes (GPUs)
    torchrun --nnodes 2 --node_rank 0 --master_addr HOST --master_port 29500 --nproc_per_node 8 train.py --data /data/hpa

--data is a folder in the Kaggle layout: train.csv (Id,Target) and train/<id>_{red,green,blue,yellow}.png.
Processes use NCCL on GPUs and gloo on CPUs. Rank 0 writes to --out: history.csv, val_probs.csv,
val_truth.csv, thresholds.csv, report.json and run_report.zip (Import report in the studio's Export
area brings the run back for evaluation and comparison), and the best and last weights as .npz.
"""
${header}
${TRAIN_BODY}`;
}

const TRAIN_BODY = String.raw`
import argparse
import copy
import csv
import datetime
import json
import math
import os
import sys
import time
import zipfile

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

import model as studio

HERE = os.path.dirname(os.path.abspath(__file__))
EPSILON = 1e-7
# sampling.ts: the public kernel's extra copies per rare class
RARE_MULTIPLIERS = {15: 6, 8: 4, 27: 4, 9: 3, 10: 3, 17: 2, 20: 2, 24: 2, 26: 1}
HISTORY_COLUMNS = ['epoch', 'phase', 'phaseName', 'loss', 'valLoss', 'valMacroF1', 'learningRate', 'trainImages', 'imagesPerSecond', 'seconds']


# ---------------------------------------------------------------- processes


class World:
    """This process's place among torchrun's (RANK, WORLD_SIZE, LOCAL_RANK); one process without torchrun."""

    def __init__(self, device):
        self.size = int(os.environ.get('WORLD_SIZE', '1'))
        self.rank = int(os.environ.get('RANK', '0'))
        self.local = int(os.environ.get('LOCAL_RANK', '0'))
        want_cuda = device == 'cuda' or (device == 'auto' and torch.cuda.is_available())
        if want_cuda:
            torch.cuda.set_device(self.local)
            self.device = torch.device('cuda', self.local)
        else:
            self.device = torch.device('cpu')
            local_size = int(os.environ.get('LOCAL_WORLD_SIZE', '1'))
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // local_size))
        self.backend = 'nccl' if want_cuda else 'gloo'
        if self.size > 1:
            dist.init_process_group(self.backend)

    def log(self, message):
        print('[rank %d/%d] %s' % (self.rank, self.size, message), flush=True)

    def sum(self, *values):
        """Sums numbers over the processes."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.size > 1:
            dist.all_reduce(t)
        return t.tolist()

    def gather(self, obj):
        """Every process's obj, in rank order."""
        if self.size == 1:
            return [obj]
        out = [None] * self.size
        dist.all_gather_object(out, obj)
        return out

    def barrier(self):
        if self.size > 1:
            dist.barrier()

    def close(self):
        # PyTorch 1.13's gloo can deadlock tearing down a DDP model's process group (its worker thread waits
        # for the GIL the destructor holds, seen under torchrun on 2 CPU processes). Every process has passed
        # the final barrier and rank 0 has written every file, so a distributed run leaves without that teardown.
        if self.size > 1:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


# ---------------------------------------------------------------- data (Kaggle layout)


def read_labels(path):
    """train.csv (Id,Target): id -> sorted distinct labels."""
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip() for c in rows[0]] != ['Id', 'Target']:
        raise SystemExit('%s: the header must be Id,Target' % path)
    out = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2:
            raise SystemExit('%s, line %d: expected 2 fields, found %d' % (path, line, len(row)))
        labels = sorted({int(v) for v in row[1].split()})
        if any(not 0 <= c < studio.CLASSES for c in labels):
            raise SystemExit('%s, line %d: a label is not a class id 0..%d' % (path, line, studio.CLASSES - 1))
        out[row[0].strip()] = labels
    return out


def read_folds(path):
    """folds.csv (Id,fold): id -> fold."""
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip() for c in rows[0]] != ['Id', 'fold']:
        raise SystemExit('%s: the header must be Id,fold' % path)
    return {r[0].strip(): int(r[1]) for r in rows[1:] if r}


def split_rows(ids, labels, folds, val_fold, world):
    """Training and validation rows (indices into ids): folds.csv's ids of val_fold validate, its other ids train,
    and train.csv's ids it does not list train too."""
    missing = [i for i in folds if i not in labels]
    if missing:
        world.log('warning: %d id(s) of folds.csv are not in train.csv and are left out: %s' % (len(missing), ', '.join(missing[:5])))
    unlisted = sum(1 for i in ids if i not in folds)
    if unlisted:
        world.log('%d id(s) of train.csv are not in folds.csv: they train' % unlisted)
    val = [r for r, i in enumerate(ids) if folds.get(i) == val_fold]
    train = [r for r, i in enumerate(ids) if folds.get(i) != val_fold]
    if not train or not val:
        raise SystemExit('the split leaves %d training and %d validation images: check --data and --folds (validation fold %d)' % (len(train), len(val), val_fold))
    return train, val


class Samples(Dataset):
    """The labelled samples of the folder as the studio stores them (uint8 [S, S, 4]), decoded on demand or held in memory."""

    def __init__(self, folder, ids, labels, stored_size):
        self.folder, self.ids, self.stored = folder, ids, stored_size
        self.y = np.zeros((len(ids), studio.CLASSES), dtype=np.float32)
        for r, i in enumerate(ids):
            self.y[r, labels[i]] = 1.0
        self.memory = None

    def hold(self, rows, world):
        """Decodes these rows once into memory (the rest stay on disk)."""
        self.memory = {}
        t0 = time.time()
        for n, r in enumerate(rows):
            self.memory[r] = studio.read_sample(self.folder, self.ids[r], self.stored)
            if (n + 1) % 500 == 0:
                world.log('decoded %d / %d images (%.0f s)' % (n + 1, len(rows), time.time() - t0))

    def image(self, r):
        if self.memory is not None and r in self.memory:
            return self.memory[r]
        return studio.read_sample(self.folder, self.ids[r], self.stored)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, r):
        return self.image(r), self.y[r]


class EpochRows(Dataset):
    """One epoch's rows (the sampler's list, which may repeat rows) over the samples."""

    def __init__(self, samples, rows):
        self.samples, self.rows = samples, list(rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.samples[self.rows[i]]


# ---------------------------------------------------------------- sampling (sampling.ts), class weights (classWeights.ts)


def class_counts(y, rows):
    return y[rows].sum(axis=0).astype(np.int64)


def class_weights(spec, counts):
    """Per-class weights of an alpha / sampler spec: inverse frequency normalised to mean 1, log-damped, or the given vector."""
    mode = spec['mode']
    if mode == 'inverse-frequency':
        inv = 1.0 / np.maximum(1, counts).astype(np.float64)
        return inv / inv.mean()
    if mode == 'log-damped':
        mu = spec.get('mu', 0.5)
        return np.maximum(1.0, np.log(mu * counts.sum() / np.maximum(1, counts)))
    if mode == 'vector':
        return np.asarray(spec['values'], dtype=np.float64)
    raise SystemExit('class weight mode %r is not one of inverse-frequency, log-damped, vector' % mode)


def rare_duplication(y, rows):
    out = []
    for r in rows:
        copies = 1 + sum(RARE_MULTIPLIERS.get(int(c), 0) for c in np.flatnonzero(y[r]))
        out += [r] * copies
    return out


def weighted_rows(y, rows, counts, seed):
    """len(rows) rows drawn with replacement, row r with probability proportional to the largest class weight of its labels."""
    w = class_weights({'mode': 'inverse-frequency'}, counts)
    row_w = np.array([max((w[c] for c in np.flatnonzero(y[r])), default=0.0) for r in rows])
    rng = np.random.default_rng(seed)
    return list(np.asarray(rows)[rng.choice(len(rows), size=len(rows), p=row_w / row_w.sum())])


def epoch_rows(y, train_rows, counts, epoch):
    if SAMPLER == 'rare':
        return rare_duplication(y, train_rows)
    if SAMPLER == 'weights':
        return weighted_rows(y, train_rows, counts, SEED * 100003 + epoch)
    return list(train_rows)


# ---------------------------------------------------------------- losses (losses.ts)


def alpha_t(y, counts):
    """Per-element weight of ALPHA, or None."""
    mode = ALPHA.get('mode', 'none')
    if mode == 'none':
        return None
    if mode == 'scalar':
        a = float(ALPHA['value'])
        return y * a + (1 - y) * (1 - a)
    w = torch.tensor(class_weights(ALPHA, counts), dtype=y.dtype, device=y.device)
    return w.expand_as(y) if ALPHA.get('on', 'all') == 'all' else y * w + (1 - y)


def make_loss(kind, counts):
    """loss(y, p) -> scalar, p the model's probabilities: BCE or focal (mean over batch and classes, p clipped to
    [1e-7, 1 - 1e-7], weighted by ALPHA) or 1 - the batch's soft macro F1."""

    def elements(y, p):
        p = p.clamp(EPSILON, 1 - EPSILON)
        if kind == 'bce':
            e = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
        else:
            pt = y * p + (1 - y) * (1 - p)
            e = -torch.log(pt)
            if GAMMA != 0:
                e = (1 - pt) ** GAMMA * e
        a = alpha_t(y, counts)
        return e if a is None else a * e

    def soft_f1(y, p):
        tp = (y * p).sum(0)
        fp = ((1 - y) * p).sum(0)
        fn = (y * (1 - p)).sum(0)
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        f1 = 2 * precision * recall / (precision + recall + EPSILON)
        return 1 - torch.nan_to_num(f1, nan=0.0).mean()

    if kind == 'f1':
        return soft_f1
    return lambda y, p: elements(y, p).mean()


# ---------------------------------------------------------------- metrics (metrics.ts) and thresholds (thresholds.ts)


def f1_per_class(truth, probs, thresholds):
    """Per-class F1 at p > t (float32), an empty class (no truth, no prediction) scoring 0 (the studio's default rule)."""
    pred = probs.astype(np.float32) > np.asarray(thresholds, dtype=np.float32)
    t = truth.astype(bool)
    tp = (pred & t).sum(0)
    fp = (pred & ~t).sum(0)
    fn = (~pred & t).sum(0)
    d = 2 * tp + fp + fn
    return np.where(d > 0, 2 * tp / np.maximum(d, 1), 0.0), tp, fp, fn


def grid_counts(truth, probs, grid):
    """TP and FP of every class at every grid threshold (p > t in float32): [classes, grid]."""
    g32 = grid.astype(np.float32)
    n, c = probs.shape
    tp = np.zeros((c, len(grid)), dtype=np.int64)
    fp = np.zeros((c, len(grid)), dtype=np.int64)
    for k in range(c):
        pos = np.sort(probs[truth[:, k] > 0, k].astype(np.float32))
        neg = np.sort(probs[truth[:, k] == 0, k].astype(np.float32))
        tp[k] = len(pos) - np.searchsorted(pos, g32, side='right')
        fp[k] = len(neg) - np.searchsorted(neg, g32, side='right')
    return tp, fp


def fit_thresholds(truth, probs, step=0.001):
    """Per-class thresholds as the studio fits them: per class the first grid threshold k * step of its best F1; a class
    without validation positives gets the global threshold (the first best macro F1 over the grid)."""
    K = int(round(1 / step))
    grid = np.arange(1, K) / K
    tp, fp = grid_counts(truth, probs, grid)
    positives = truth.sum(0).astype(np.int64)[:, None]
    d = 2 * tp + fp + (positives - tp)
    f1 = np.where(d > 0, 2 * tp / np.maximum(d, 1), 0.0)
    global_t = grid[int(np.argmax(f1.mean(0)))]
    best = np.argmax(f1, axis=1)
    return np.where(positives[:, 0] > 0, grid[best], global_t)


# ---------------------------------------------------------------- schedule (reduceLrOnPlateau.ts, earlyStopping.ts)


def improves(a, b):
    if not math.isfinite(b):
        return math.isfinite(a)
    return a < b if MONITOR == 'val_loss' else a > b


def monitored(logs):
    return logs['valLoss'] if MONITOR == 'val_loss' else logs['valMacroF1']


class Plateau:
    """Keras's ReduceLROnPlateau as the studio runs it: after PLATEAU['patience'] epochs without improvement the
    learning rate is multiplied by PLATEAU['factor']; the count restarts with each phase."""

    def __init__(self):
        self.best, self.wait, self.reductions = float('nan'), 0, []

    def start_phase(self):
        self.best, self.wait = float('nan'), 0

    def epoch_end(self, optimizer, logs):
        v = monitored(logs)
        if improves(v, self.best):
            self.best, self.wait = v, 0
            return
        self.wait += 1
        if self.wait >= PLATEAU['patience']:
            for g in optimizer.param_groups:
                g['lr'] = g['lr'] * PLATEAU['factor']
            self.reductions.append({'epoch': logs['epoch'], 'lr': optimizer.param_groups[0]['lr']})
            self.wait = 0


class EarlyStop:
    """Ends the phase after EARLY_STOP_PATIENCE epochs without improvement of MONITOR."""

    def __init__(self):
        self.best, self.wait = float('nan'), 0

    def start_phase(self):
        self.best, self.wait = float('nan'), 0

    def epoch_end(self, logs):
        v = monitored(logs)
        if improves(v, self.best):
            self.best, self.wait = v, 0
            return False
        self.wait += 1
        return self.wait >= EARLY_STOP_PATIENCE


# ---------------------------------------------------------------- phases: what trains (freeze.ts)


def set_trainable(net, trainable):
    """requires_grad per the phase; a transfer model's frozen BatchNorm layers run in inference mode (set again by train_mode)."""
    frozen_bn = []
    for p in net.parameters():
        p.requires_grad_(True)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d) and not getattr(m, 'studio_scale', True):
            m.weight.requires_grad_(False)
    if trainable == 'all':
        return frozen_bn
    if trainable == 'head':
        keep = {id(p) for layer in net.head_layers() for p in layer.parameters()}
        for p in net.parameters():
            if id(p) not in keep:
                p.requires_grad_(False)
        return frozen_bn
    n = len(net.blocks)
    first = n if trainable == 'backbone-frozen' else n - int(trainable['lastBlocks'])
    for block in net.blocks[:first]:
        for m in block:
            for p in m.parameters():
                p.requires_grad_(False)
            frozen_bn += [b for b in m.modules() if isinstance(b, nn.BatchNorm2d)]
    return frozen_bn


def train_mode(net, frozen_bn):
    net.train()
    for bn in frozen_bn:
        bn.eval()


# ---------------------------------------------------------------- augmentation (augment.ts)


def augment(x, rng):
    """Training input of float [N, 4, S, S] stored images: the resize (or a random INPUT_SIZE crop) and one random dihedral transform per image."""
    s = studio.INPUT_SIZE
    if studio.RESIZE_MODE == 'resize':
        x = studio.resize_bilinear(x, s)
    out = []
    for i in range(x.shape[0]):
        top = int(rng.integers(x.shape[2] - s + 1)) if studio.RESIZE_MODE == 'crop' else 0
        left = int(rng.integers(x.shape[3] - s + 1)) if studio.RESIZE_MODE == 'crop' else 0
        rot = int(rng.integers(4)) if AUGMENT['rotate90'] else 0
        flip = int(rng.integers(2)) if AUGMENT['flips'] else 0
        out.append(studio.dihedral(x[i:i + 1, :, top:top + s, left:left + s], rot + 4 * flip))
    return torch.cat(out)


# ---------------------------------------------------------------- validation


@torch.no_grad()
def predict_rows(net, samples, rows, batch, world):
    """Probabilities of the rows (the centre crop or the resize, no augmentation), each process predicting a share; every process gets all of them."""
    net.eval()
    mine = list(range(world.rank, len(rows), world.size))
    probs = np.zeros((len(mine), studio.CLASSES), dtype=np.float32)
    for s in range(0, len(mine), batch):
        part = mine[s:s + batch]
        probs[s:s + len(part)] = studio.predict_batch(net, [samples.image(rows[i]) for i in part], device=world.device)
    full = np.zeros((len(rows), studio.CLASSES), dtype=np.float32)
    for where, values in world.gather((mine, probs)):
        full[where] = values
    return full


def validation_loss(loss_fn, y, probs, batch):
    """The studio's validation loss: the loss of each batch of the validation rows in order, weighted by its size."""
    total = 0.0
    for s in range(0, len(y), batch):
        total += float(loss_fn(torch.from_numpy(y[s:s + batch]), torch.from_numpy(probs[s:s + batch]))) * len(y[s:s + batch])
    return total / len(y)


# ---------------------------------------------------------------- outputs in the studio's formats


def js_number(v):
    """A float as the studio writes one (9 significant digits, shortest form)."""
    return repr(float('%.9g' % v))


def clean(v):
    """JSON without NaN or infinity (the studio's JSON.parse rejects them)."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def write_outputs(out, run, history, val_ids, truth, probs, thresholds, reductions, best_epoch):
    os.makedirs(out, exist_ok=True)
    files = {}
    lines = [','.join(HISTORY_COLUMNS + ['valF1_%d' % c for c in range(studio.CLASSES)])]
    for h in history:
        cells = ['"%s"' % h[k] if k == 'phaseName' else str(h[k]) for k in HISTORY_COLUMNS]
        lines.append(','.join(cells + [str(v) for v in h['valPerClassF1']]))
    files['history.csv'] = '\n'.join(lines) + '\n'
    lines = [','.join(['Id'] + [str(c) for c in range(studio.CLASSES)])]
    lines += [','.join([i] + [js_number(v) for v in row]) for i, row in zip(val_ids, probs)]
    files['val_probs.csv'] = '\n'.join(lines) + '\n'
    lines = ['Id,Target'] + ['%s,%s' % (i, ' '.join(str(c) for c in np.flatnonzero(row))) for i, row in zip(val_ids, truth)]
    files['val_truth.csv'] = '\n'.join(lines) + '\n'
    files['thresholds.csv'] = '\n'.join(['class,threshold'] + ['%d,%r' % (c, float(t)) for c, t in enumerate(thresholds)]) + '\n'
    f1, tp, fp, fn = f1_per_class(truth, probs, thresholds)
    per_class = []
    for c in range(studio.CLASSES):
        t, p_, n_ = int(tp[c]), int(fp[c]), int(fn[c])
        empty = t + p_ + n_ == 0
        per_class.append({'cls': c, 'tp': t, 'fp': p_, 'fn': n_, 'support': t + n_,
                          'precision': t / (t + p_) if t + p_ else 0.0, 'recall': t / (t + n_) if t + n_ else 0.0, 'f1': float(f1[c]), 'empty': empty})
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {
        'format': 'hpa-studio-run-report',
        'formatVersion': 1,
        'run': {
            'id': '%s-torch-%s' % (run['id'], now.strftime('%Y%m%d%H%M%S')),
            'name': run['name'],
            'datasetId': run['datasetId'],
            'datasetName': run['datasetName'],
            'createdAt': int(now.timestamp() * 1000),
            'status': 'done',
            'message': None,
            'backend': run['backend'],
            'checkpointEpoch': 0,
            'bestEpoch': best_epoch,
            'group': None,
            'lrReductions': reductions,
        },
        'config': run['config'],
        'seed': SEED,
        'valIds': val_ids,
        'history': history,
        'thresholds': {'mode': 'per-class', 'values': [float(t) for t in thresholds], 'from': "train.py's best epoch (%d), validation fold %d" % (best_epoch, VAL_FOLD)},
        'metrics': {'macroF1': float(f1.mean()), 'emptyClass': 'zero', 'perClass': per_class},
        'created': now.isoformat().replace('+00:00', 'Z'),
    }
    files['report.json'] = json.dumps(clean(report), indent=2, allow_nan=False) + '\n'
    for name, text in files.items():
        with open(os.path.join(out, name), 'w', newline='') as f:
            f.write(text)
    with zipfile.ZipFile(os.path.join(out, 'run_report.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
        for name in ['report.json', 'val_probs.csv', 'val_truth.csv', 'history.csv', 'thresholds.csv']:
            z.writestr(name, files[name])
    return float(f1.mean())


# ---------------------------------------------------------------- the run


def phases_from(args, config):
    """The phases with the command line's epochs, and the run config they make (as the imported run will show it)."""
    phases, config = copy.deepcopy(PHASES), copy.deepcopy(config)
    main = phases[0] if LOSS == 'bce-then-f1' else phases[-1]
    if args.epochs is not None:
        main['epochs'] = config['epochs'] = args.epochs
    if args.f1_epochs is not None and LOSS == 'bce-then-f1':
        phases[1]['epochs'] = config['f1Epochs'] = args.f1_epochs
    if args.warmup_epochs is not None and phases[0]['trainable'] == 'backbone-frozen':
        phases[0]['epochs'] = args.warmup_epochs
    if args.warmup_epochs is not None and config.get('transfer'):
        config['transfer']['warmupEpochs'] = args.warmup_epochs
    return [p for p in phases if p['epochs'] > 0], config


def main(argv=None):
    p = argparse.ArgumentParser(description='Train the exported HPA Studio run with PyTorch (DistributedDataParallel under torchrun).')
    p.add_argument('--data', required=True, help='Kaggle-layout folder: train.csv and train/<id>_<channel>.png')
    p.add_argument('--out', default='torch_run', help='where rank 0 writes the outputs')
    p.add_argument('--folds', default=os.path.join(HERE, 'folds.csv'), help='Id,fold of the labelled ids (the run\'s split)')
    p.add_argument('--fold', type=int, default=VAL_FOLD, help='the validation fold')
    p.add_argument('--init', choices=['weights', 'scratch'], default='weights', help="start from the exported weights (--weights) or the studio's initialisation")
    p.add_argument('--weights', default=os.path.join(HERE, 'weights.npz'))
    p.add_argument('--epochs', type=int, help="the run's epochs (GAPNet: the first phase; transfer models: the fine-tune)")
    p.add_argument('--f1-epochs', type=int, help="'bce-then-f1': the soft-F1 phase's epochs")
    p.add_argument('--warmup-epochs', type=int, help="transfer models: the warm-up's epochs (0: none)")
    p.add_argument('--batch', type=int, default=BATCH_SIZE, help='images per step over all processes (each process takes its share)')
    p.add_argument('--workers', type=int, default=2, help='data loader processes per training process')
    p.add_argument('--memory-mb', type=int, default=2048, help='decode the images once and hold them when they fit in this many MB per process')
    p.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto')
    args = p.parse_args(argv)

    world = World(args.device)
    with open(os.path.join(HERE, 'config.json')) as f:
        about = json.load(f)
    labels = read_labels(os.path.join(args.data, 'train.csv'))
    folds = read_folds(args.folds)
    ids = sorted(labels)
    train_rows, val_rows = split_rows(ids, labels, folds, args.fold, world)
    samples = Samples(os.path.join(args.data, 'train'), ids, labels, studio.STORED_SIZE)
    first = samples.image(train_rows[0])
    if first.shape[0] < studio.INPUT_SIZE:
        raise SystemExit('the images are %d px: smaller than the model input %d px' % (first.shape[0], studio.INPUT_SIZE))
    if len(ids) * first.nbytes <= args.memory_mb * 1e6:
        samples.hold(train_rows + val_rows, world)
    counts = class_counts(samples.y, train_rows)
    per_process = max(1, args.batch // world.size)
    world.log('%s %d px on %s (%s); %d train / %d validation images; %d per process per step' % (
        studio.MODEL, studio.INPUT_SIZE, world.device, world.backend, len(train_rows), len(val_rows), per_process))

    torch.manual_seed(SEED)
    net = studio.build_model()
    if args.init == 'weights':
        studio.load_weights(net, args.weights)
    else:
        studio.init_weights(net, SEED)
    net.to(world.device)

    phases, config = phases_from(args, about['config'])
    total_epochs = sum(ph['epochs'] for ph in phases)
    y_val = samples.y[val_rows]
    plateau, stopper = Plateau(), EarlyStop()
    history, best, best_value, best_epoch, epoch = [], None, float('nan'), 0, 0
    for phase_index, phase in enumerate(phases):
        frozen_bn = set_trainable(net, phase['trainable'])
        trained = DistributedDataParallel(net, device_ids=[world.local] if world.device.type == 'cuda' else None) if world.size > 1 else net
        optimizer = torch.optim.Adam([q for q in net.parameters() if q.requires_grad], lr=phase['lr'], betas=(0.9, 0.999), eps=1e-7)
        loss_fn = make_loss(phase['loss'], counts)
        plateau.start_phase()
        stopper.start_phase()
        world.log('phase %d/%d: %s, %d epoch(s) at lr %g, %d of %d parameters train' % (
            phase_index + 1, len(phases), phase['name'], phase['epochs'], phase['lr'],
            sum(q.numel() for q in net.parameters() if q.requires_grad), sum(q.numel() for q in net.parameters())))
        for _ in range(phase['epochs']):
            epoch += 1
            t0 = time.time()
            rows = EpochRows(samples, epoch_rows(samples.y, train_rows, counts, epoch))
            sampler = DistributedSampler(rows, num_replicas=world.size, rank=world.rank, shuffle=True, seed=SEED)
            sampler.set_epoch(epoch)
            loader = DataLoader(rows, batch_size=per_process, sampler=sampler, num_workers=0 if samples.memory is not None else args.workers)
            rng = np.random.default_rng([SEED, epoch, world.rank])
            train_mode(net, frozen_bn)
            loss_sum, images = 0.0, 0
            for xb, yb in loader:
                x = augment(xb.to(world.device).permute(0, 3, 1, 2).float(), rng)
                y = yb.to(world.device)
                loss = loss_fn(y, trained(x))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                loss_sum += float(loss) * len(y)
                images += len(y)
            world.log('epoch %d: trained on %d images, mean loss %.4f' % (epoch, images, loss_sum / max(1, images)))
            loss_sum, images = world.sum(loss_sum, images)
            train_seconds = time.time() - t0
            probs = predict_rows(net, samples, val_rows, per_process, world)
            f1, _, _, _ = f1_per_class(y_val, probs, np.full(studio.CLASSES, 0.5))
            logs = {
                'epoch': epoch, 'phase': phase_index, 'phaseName': phase['name'],
                'loss': loss_sum / images, 'valLoss': validation_loss(loss_fn, y_val, probs, args.batch),
                'valMacroF1': float(f1.mean()), 'valPerClassF1': [float(v) for v in f1],
                'learningRate': optimizer.param_groups[0]['lr'], 'trainImages': int(images),
                'imagesPerSecond': images / train_seconds, 'seconds': time.time() - t0,
            }
            history.append(logs)
            if world.rank == 0:
                world.log('epoch %d/%d [%s] loss %.4f  val_loss %.4f  val_macro_F1 %.4f  lr %.1e  %.1f img/s  %.1f s' % (
                    epoch, total_epochs, phase['name'], logs['loss'], logs['valLoss'], logs['valMacroF1'], logs['learningRate'], logs['imagesPerSecond'], logs['seconds']))
            if PLATEAU:
                plateau.epoch_end(optimizer, logs)
            stop_phase = EARLY_STOP_PATIENCE > 0 and stopper.epoch_end(logs)
            if best is None or improves(monitored(logs), best_value):
                best, best_value, best_epoch = studio.studio_weights(net), monitored(logs), epoch
            if stop_phase:
                world.log('early stopping: %s did not improve for %d epochs' % (MONITOR, EARLY_STOP_PATIENCE))
                break

    last = studio.studio_weights(net)
    studio.load_weights(net, best)
    probs = predict_rows(net, samples, val_rows, per_process, world)
    if world.rank == 0:
        thresholds = fit_thresholds(y_val, probs)
        config['trainedWith'] = {'engine': 'pytorch', 'torch': torch.__version__, 'processes': world.size, 'distributed': world.backend,
                                 'device': world.device.type, 'init': args.init, 'batch': args.batch, 'fold': args.fold, 'phases': phases}
        run = {
            'id': about['run']['id'], 'name': '%s · PyTorch, %d process%s' % (about['run']['name'], world.size, '' if world.size == 1 else 'es'),
            'datasetId': about['run']['datasetId'], 'datasetName': about['run']['datasetName'], 'config': config,
            'backend': 'pytorch %s (%s, %d process%s)' % (world.device.type, world.backend, world.size, '' if world.size == 1 else 'es'),
        }
        val_ids = [ids[r] for r in val_rows]
        macro = write_outputs(args.out, run, history, val_ids, y_val, probs, thresholds, plateau.reductions, best_epoch)
        np.savez(os.path.join(args.out, 'weights_best.npz'), **best)
        np.savez(os.path.join(args.out, 'weights_last.npz'), **last)
        world.log('best epoch %d (%s %.4f); validation macro F1 with per-class thresholds %.4f; wrote %s' % (best_epoch, MONITOR, best_value, macro, args.out))
    world.barrier()
    world.close()


if __name__ == '__main__':
    main()
`;
