/**
 * The generated predict.py: a Kaggle submission (Id,Predicted) from a folder of PNGs in the Kaggle
 * layout (<id>_red.png, _green, _blue, _yellow), with the run's thresholds (thresholds.csv) and the
 * studio's input path and prediction rules (model.py): p > t per class, compared in float32.
 */
export function predictPy(about: string): string {
  return `"""${about}

predict.py: a Kaggle submission from a folder of PNGs (Kaggle layout: <id>_red.png, <id>_green.png,
<id>_blue.png, <id>_yellow.png), predicted as the studio predicts, with the run's thresholds.

    python predict.py --images test/ --out submission.csv [--order sample_submission.csv]
                      [--weights weights.npz] [--thresholds thresholds.csv] [--probs probs.csv]
                      [--tta none|flips|dihedral] [--combine mean|max] [--tiling grid|centre]
                      [--at-least-one] [--batch 16] [--device cpu|cuda]
"""
${PREDICT_BODY}`;
}

const PREDICT_BODY = String.raw`
import argparse
import csv
import os
import sys

import numpy as np
import torch

import model as studio

HERE = os.path.dirname(os.path.abspath(__file__))
TTA = {'none': (0,), 'flips': (0, 2, 4, 6), 'dihedral': (0, 1, 2, 3, 4, 5, 6, 7)}


def read_thresholds(path):
    """class,threshold rows (the studio's thresholds.csv): one threshold per class."""
    t = {}
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip() for c in rows[0]] != ['class', 'threshold']:
        raise SystemExit('%s: the header must be class,threshold' % path)
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        c, v = int(row[0]), float(row[1])
        if not 0 <= c < studio.CLASSES or not 0 <= v <= 1:
            raise SystemExit('%s, line %d: class %s threshold %s is out of range' % (path, line, row[0], row[1]))
        t[c] = v
    missing = [c for c in range(studio.CLASSES) if c not in t]
    if missing:
        raise SystemExit('%s: no threshold for class(es) %s' % (path, ', '.join(map(str, missing))))
    return np.array([t[c] for c in range(studio.CLASSES)], dtype=np.float32)


def sample_ids(folder):
    """The ids of the folder's samples: every <id>_red.png whose other three channels are there too."""
    names = set(os.listdir(folder))
    ids = sorted(n[:-len('_red.png')] for n in names if n.endswith('_red.png'))
    incomplete = [i for i in ids if any('%s_%s.png' % (i, ch) not in names for ch in studio.CHANNEL_ORDER[1:])]
    if incomplete:
        raise SystemExit('%s: sample(s) without all four channels: %s' % (folder, ', '.join(incomplete[:5])))
    if not ids:
        raise SystemExit('%s has no <id>_red.png files' % folder)
    return ids


def order_ids(ids, order_csv):
    """The ids in sample_submission.csv's order (every id there must have its PNGs)."""
    with open(order_csv, newline='') as f:
        rows = list(csv.reader(f))
    wanted = [r[0].strip() for r in rows[1:] if r]
    have = set(ids)
    missing = [i for i in wanted if i not in have]
    if missing:
        raise SystemExit('%s lists %d id(s) with no PNGs in the folder: %s' % (order_csv, len(missing), ', '.join(missing[:5])))
    return wanted


def labels_of(probs, thresholds, at_least_one):
    """Per row the classes with p > t (float32, as the studio compares); with at_least_one an empty row gets its most likely class."""
    pred = probs.astype(np.float32) > thresholds.astype(np.float32)
    out = []
    for r in range(probs.shape[0]):
        labels = [int(c) for c in np.flatnonzero(pred[r])]
        if not labels and at_least_one:
            labels = [int(np.argmax(probs[r]))]
        out.append(labels)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description='A Kaggle submission from a folder of PNGs with the exported HPA Studio model.')
    p.add_argument('--images', required=True, help='folder of <id>_{red,green,blue,yellow}.png')
    p.add_argument('--out', default='submission.csv')
    p.add_argument('--order', help='sample_submission.csv: write its ids in its order (default: the folder ids, sorted)')
    p.add_argument('--weights', default=os.path.join(HERE, 'weights.npz'))
    p.add_argument('--thresholds', default=os.path.join(HERE, 'thresholds.csv'))
    p.add_argument('--probs', help='also write the probabilities (Id,0,...,27)')
    p.add_argument('--tta', choices=sorted(TTA), default='none')
    p.add_argument('--combine', choices=['mean', 'max'], default='mean')
    p.add_argument('--tiling', choices=['grid', 'centre'], default='grid', help="crop-trained models: tiles over the whole image (averaged) or the centre crop")
    p.add_argument('--at-least-one', action='store_true', help='give a row with no class above its threshold its most likely class')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = p.parse_args(argv)

    net = studio.build_model()
    studio.load_weights(net, a.weights)
    net.to(a.device).eval()
    thresholds = read_thresholds(a.thresholds)
    ids = sample_ids(a.images)
    if a.order:
        ids = order_ids(ids, a.order)
    probs = np.zeros((len(ids), studio.CLASSES), dtype=np.float32)
    for start in range(0, len(ids), a.batch):
        batch = [studio.read_sample(a.images, i) for i in ids[start:start + a.batch]]
        probs[start:start + len(batch)] = studio.predict_batch(net, batch, TTA[a.tta], a.combine, a.tiling, a.device)
        print('predicted %d / %d' % (min(start + a.batch, len(ids)), len(ids)), file=sys.stderr)
    with open(a.out, 'w', newline='') as f:
        f.write('Id,Predicted\n')
        for i, labels in zip(ids, labels_of(probs, thresholds, a.at_least_one)):
            f.write('%s,%s\n' % (i, ' '.join(map(str, labels))))
    if a.probs:
        with open(a.probs, 'w', newline='') as f:
            f.write(','.join(['Id'] + [str(c) for c in range(studio.CLASSES)]) + '\n')
            for i, row in zip(ids, probs):
                f.write(','.join([i] + ['%.9g' % v for v in row]) + '\n')
    print('wrote %s (%d rows)' % (a.out, len(ids)), file=sys.stderr)


if __name__ == '__main__':
    main()
`;
