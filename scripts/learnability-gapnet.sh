#!/usr/bin/env bash
# Learnability of the synthetic set: GAPNet-PL trained on 2,000 samples at 128 px for a fixed
# budget of epochs, scored on a stratified 20 % hold-out. Prints the held-out macro F1 and the
# classes it misses. Usage: bash scripts/learnability-gapnet.sh [EPOCHS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-12}
DIR=${2:-/tmp/hpa-learnability}
mkdir -p "$DIR"
[ -f "$DIR/synth-2000-128.zip" ] || node bin/hpa-studio.mjs make-dataset --train 2000 --test 0 --size 128 --seed 11 --out "$DIR/synth-2000-128.zip"
node bin/hpa-studio.mjs train --data "$DIR/synth-2000-128.zip" --model gapnet-pl --loss focal --gamma 2 \
  --epochs "$EPOCHS" --size 128 --batch 32 --lr 0.001 --lr-patience 2 --monitor val_macro_f1 --holdout 0.2 --seed 1 \
  --backend wasm --out "$DIR/run"
node -e '
const fs = require("fs");
const rows = fs.readFileSync(process.argv[1] + "/run/per-class.csv", "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const f1 = rows.map((r) => Number(r[5]));
const missed = rows.filter((r) => Number(r[2]) > 0 && Number(r[5]) === 0).map((r) => `${r[0]} ${r[1]}`);
const empty = rows.filter((r) => Number(r[2]) === 0).map((r) => `${r[0]} ${r[1]}`);
console.log(`held-out macro F1 (per-class thresholds on the hold-out): ${(f1.reduce((a, b) => a + b, 0) / f1.length).toFixed(4)}`);
console.log(`classes with positives but F1 0: ${missed.join(", ") || "none"}`);
console.log(`classes without hold-out positives (score 0 by convention): ${empty.join(", ") || "none"}`);
' "$DIR"
