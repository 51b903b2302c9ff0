/**
 * `hpa-studio bench`: the benchmark as a command of the CLI. It lives with the bench and is handed
 * to the CLI by its entry point (bin/hpa-studio.mjs), so the CLI itself never imports bench code.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../src/cli/command';
import { BENCH_PARTS, parseOnly, type BenchPart } from './lib/parts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure training, data feed, ingest, inference and responsiveness beside same-run references',
  usage: `Usage: hpa-studio bench [--quick] [--only PARTS] [--ingest-samples N] [--no-browser] [--out DIR]
       hpa-studio bench --parity [--data teaching|realistic|FILE.zip] [--seeds 1,2,3,4,5] [options below]
       hpa-studio bench --teaching [--seeds 1,2,3] [--epochs E] [--model NAME] [--realistic]
       hpa-studio bench --full-scale [--train N --test M] [--out DIR]

Measures what the studio exists for, each figure the median ± half-range of several runs after
warm-up, beside a reference measured in the same run (PyTorch CPU, Python/PIL): training img/s of
gapnet-pl and gapnet-kaggle on every backend of Node and headless Chromium, the data feed and a
real run's stall fraction, ingest through the studio's file input (samples/s, MB/s, JS heap),
predict with and without TTA, and main-thread long tasks while training. Slow combinations are
listed as 'skipped (too slow: est. N s)'. Writes DIR/<date>-<machine>[-quick].json and .md and
DIR/latest.md. See bench/README.md.

  --quick              64 and 128 px only, fewer steps, small ingest archive (a few minutes)
  --only PARTS         run only these parts, comma-separated: ${BENCH_PARTS.join(', ')}
                       (transfer: MobileNetV2 and ResNet50 at 128 and 224 px on wasm, Node and
                       Chromium, beside torchvision's on PyTorch CPU; cam: GAPNet trained on the
                       teaching demo, Grad-CAM's mass on the class masks, no reference); writes
                       DIR/<date>-<machine>-<parts>[-quick].json and .md, never latest.md
  --ingest-samples N   samples in the large ingest archive of the full run (default 5000 ≈ 3 GB)
  --no-browser         Node and PyTorch only
  --out DIR            results folder (default bench/results)

--parity runs only the learning-parity job (bench/parity.ts): the studio (hpa-studio train, wasm)
and the PyTorch reference (bench/parity_torch.py) trained on the same data, split (a file both
read), pixels, initial weights and recipe for each seed, both scored on the test split (macro F1 at
0.5 and with per-class thresholds fitted on validation). PASS (exit 0) when the studio's mean test
macro F1 with tuned thresholds lies within the PyTorch runs' range, else FAIL (exit 1). Writes
DIR/parity-<date>-<machine>.md and .json; work files in bench/tmp/parity.

  --data D         teaching (default: make-dataset --teaching, 1200 + 300 at 64 px) | realistic
                   (make-dataset --cap-dominant, 1200 + 300 at 128 px) | a zip with test_labels.csv
  --train N --test M --size S --data-seed K
                   the generated set's sizes, side (also the model input) and seed
  --seeds LIST     training seeds, comma-separated (default 1,2,3,4,5)
  --epochs E       (default 12)   --batch B (default 16)   --lr LR (default 0.001)
  --model NAME     gapnet-pl (default) | gapnet-kaggle
  --loss L         focal (default, γ --gamma 2) | bce
  --holdout F      validation fraction of the train split (default 0.2)
  --out DIR        results folder (default bench/results)

--teaching runs only the teaching-demo job (scripts/teaching-demo-figures.ts, whose options it
takes): the Quick demo preset trained by the CLI on the teaching demo for each seed, validation and
test macro F1 at 0.5 and with per-class thresholds, mean ± SD and wall time (docs/teaching-demo.md).

--full-scale runs only the full-scale job (bench/fullScale.ts, 30–60 min, not in CI): a synthetic
archive of the competition's counts (31,072 train + 11,702 test samples, 64 px; made once and kept
in bench/tmp) imported in headless Chromium on wasm, the explorer (open, grid scroll, class filter,
heatmap pair), one training epoch at 32 px, prediction of the test split and a validated submission;
per stage wall time, peak JS heap of the page and workers, OPFS bytes and main-thread long tasks.
Writes DIR/<date>-<machine>-full-scale.json and .md; exit 1 when a stage failed. --train and
--test shrink it (a smoke test of the job; the results file then says the counts).`,
  async run(args) {
    if (args.includes('--teaching')) {
      const script = join(dirname(fileURLToPath(import.meta.url)), '../scripts/teaching-demo-figures.ts');
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args.filter((a) => a !== '--teaching')], { stdio: 'inherit' });
      return r.status ?? 1;
    }
    if (args.includes('--full-scale')) {
      const { values } = parseArgs({
        args,
        options: { 'full-scale': { type: 'boolean' }, train: { type: 'string' }, test: { type: 'string' }, out: { type: 'string', default: 'bench/results' } },
        strict: true,
      });
      const { FULL_SCALE, runFullScale } = await import('./fullScale');
      const count = (flag: 'train' | 'test') => {
        const v = values[flag];
        if (v === undefined) return FULL_SCALE[flag];
        if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${flag} must be a whole number ≥ 1, got '${v}'`);
        return Number(v);
      };
      const t0 = Date.now();
      const { ok, files } = await runFullScale({ ...FULL_SCALE, train: count('train'), test: count('test'), outDir: values.out!, log: (l) => console.log(l) });
      console.log(`done in ${Math.round((Date.now() - t0) / 1000)} s; wrote ${files.join(', ')}`);
      return ok ? 0 : 1;
    }
    if (args.includes('--parity')) {
      const { parseParityArgs, runParity } = await import('./parity');
      const rest = args.filter((a) => a !== '--parity');
      const t0 = Date.now();
      const { pass, files } = await runParity(parseParityArgs(rest, (l) => console.log(l)));
      console.log(`done in ${Math.round((Date.now() - t0) / 1000)} s; wrote ${files.join(', ')}`);
      return pass ? 0 : 1;
    }
    const { values } = parseArgs({
      args,
      options: {
        quick: { type: 'boolean', default: false },
        'ingest-samples': { type: 'string', default: '5000' },
        only: { type: 'string' },
        'no-browser': { type: 'boolean', default: false },
        out: { type: 'string', default: 'bench/results' },
      },
      strict: true,
    });
    const ingestSamples = Number(values['ingest-samples']);
    if (!Number.isInteger(ingestSamples) || ingestSamples < 0)
      throw new UsageError(`--ingest-samples must be a whole number ≥ 0, got '${values['ingest-samples']}'`);
    let only: BenchPart[];
    try {
      only = parseOnly(values.only);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const t0 = Date.now();
    // loaded here, not at the top: playwright-core and the bench code stay out of every other command's start-up
    const { runBench } = await import('./run');
    const { files } = await runBench({
      quick: values.quick!,
      ingestSamples,
      skipBrowser: values['no-browser']!,
      outDir: values.out!,
      only,
      log: (l) => console.log(l),
    });
    console.log(`done in ${Math.round((Date.now() - t0) / 1000)} s; wrote ${files.join(', ')}`);
    return 0;
  },
};
