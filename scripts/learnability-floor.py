"""Learnability floor of the synthetic HPA-like data (reference only, never product code).

Reads the CSV written by scripts/learnability-floor.ts (one row per sample: feature columns
f_*, s_* and label columns y0..y27), splits 75/25 with a fixed seed, fits a one-vs-rest logistic
regression per feature set and prints held-out macro F1 (sklearn convention: a class with no
positives and no predictions scores 0), at threshold 0.5 and with per-class thresholds chosen on
the training split (first argmax of training F1 over a 0.01 grid), beside trivial baselines.
"""
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

path = sys.argv[1]
header = open(path).readline().strip().split(",")
data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, len(header)))
cols = header[1:]
Y = data[:, [i for i, c in enumerate(cols) if c.startswith("y")]].astype(int)
groups = {
    "per-channel mean intensity (4 features)": [i for i, c in enumerate(cols) if c.startswith("f_")],
    "reference: simple spatial statistics (mean, std, green-vs-reference correlations, green texture)": [
        i for i, c in enumerate(cols) if c.startswith("f_") or c.startswith("s_")
    ],
}
idx = np.arange(len(Y))
tr, te = train_test_split(idx, test_size=0.25, random_state=0)
present = Y[tr].sum(0) > 0  # classes with a positive in the training split can be fitted


def macro(y, p):
    return f1_score(y, p, average="macro", zero_division=0)


def best_thresholds(y, prob):
    grid = np.arange(0.01, 1.0, 0.01)
    t = np.full(y.shape[1], 0.5)
    for c in range(y.shape[1]):
        scores = [f1_score(y[:, c], prob[:, c] > g, zero_division=0) for g in grid]
        t[c] = grid[int(np.argmax(scores))]
    return t


print(f"{len(Y)} samples, {Y.shape[1]} classes; train {len(tr)}, held out {len(te)}; "
      f"classes with a training positive: {present.sum()}")
print(f"baseline, predict every class for every image: macro F1 {macro(Y[te], np.ones_like(Y[te])):.4f}")
print(f"baseline, predict only class 0:               macro F1 {macro(Y[te], np.eye(28, dtype=int)[np.zeros(len(te), int)]):.4f}")
for name, fi in groups.items():
    X = data[:, fi]
    prob_tr = np.zeros((len(tr), 28))
    prob_te = np.zeros((len(te), 28))
    model = OneVsRestClassifier(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)))
    model.fit(X[tr][:, :], Y[tr][:, present])
    prob_tr[:, present] = model.predict_proba(X[tr])
    prob_te[:, present] = model.predict_proba(X[te])
    f05 = macro(Y[te], (prob_te > 0.5).astype(int))
    t = best_thresholds(Y[tr], prob_tr)
    fbest = macro(Y[te], (prob_te > t).astype(int))
    # the same model on shuffled labels: what per-class thresholds reach with no signal at all
    rng = np.random.default_rng(0)
    Ys = Y[tr][rng.permutation(len(tr))]
    ms = OneVsRestClassifier(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)))
    ms.fit(X[tr], Ys[:, present])
    ps_tr = np.zeros((len(tr), 28))
    ps_te = np.zeros((len(te), 28))
    ps_tr[:, present] = ms.predict_proba(X[tr])
    ps_te[:, present] = ms.predict_proba(X[te])
    fshuf = macro(Y[te], (ps_te > best_thresholds(Ys, ps_tr)).astype(int))
    print(f"{name}:")
    print(f"  held-out macro F1, threshold 0.5:                     {f05:.4f}")
    print(f"  held-out macro F1, per-class thresholds from train:   {fbest:.4f}")
    print(f"  same, model fitted on shuffled labels (no signal):    {fshuf:.4f}")
