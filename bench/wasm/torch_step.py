"""PyTorch CPU reference for bench/wasm/train-step.ts: GapNet-PL (docs/domain.md §4) training steps,
the network of bench/torch_ref.py (input normalisation included), BCE, Adam 1e-3. Prints one JSON
line with the step times, their median and img/s. Run with Debian's /usr/bin/python3 (torch CPU).
"""
import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import torch_ref  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=7)
    a = p.parse_args()
    a.model = 'gapnet-pl'
    r = torch_ref.train(a)
    assert r['params'] == 630_076, r['params']
    med = statistics.median(r['stepMs'])
    print(json.dumps({
        'torch': r['torch'], 'threads': r['threads'], 'params': r['params'],
        'stepMs': r['stepMs'], 'medianMs': med, 'imgPerS': a.batch * 1000 / med,
    }))


if __name__ == '__main__':
    main()
