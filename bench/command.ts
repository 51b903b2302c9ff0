/**
 * `hpa-studio bench`: the benchmark as a command of the CLI. It lives with the bench and is handed
 * to the CLI by its entry point (bin/hpa-studio.mjs), so the CLI itself never imports bench code.
 */
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../src/cli/command';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure training, data feed, ingest, inference and responsiveness beside same-run references',
  usage: `Usage: hpa-studio bench [--quick] [--ingest-samples N] [--no-browser] [--out DIR]

Measures what the studio exists for, each figure the median ± half-range of several runs after
warm-up, beside a reference measured in the same run (PyTorch CPU, Python/PIL): training img/s of
gapnet-pl and gapnet-kaggle on every backend of Node and headless Chromium, the data feed and a
real run's stall fraction, ingest through the studio's file input (samples/s, MB/s, JS heap),
predict with and without TTA, and main-thread long tasks while training. Slow combinations are
listed as 'skipped (too slow: est. N s)'. Writes DIR/<date>-<machine>[-quick].json and .md and
DIR/latest.md. See bench/README.md.

  --quick              64 and 128 px only, fewer steps, small ingest archive (a few minutes)
  --ingest-samples N   samples in the large ingest archive of the full run (default 5000 ≈ 3 GB)
  --no-browser         Node and PyTorch only
  --out DIR            results folder (default bench/results)`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        quick: { type: 'boolean', default: false },
        'ingest-samples': { type: 'string', default: '5000' },
        'no-browser': { type: 'boolean', default: false },
        out: { type: 'string', default: 'bench/results' },
      },
      strict: true,
    });
    const ingestSamples = Number(values['ingest-samples']);
    if (!Number.isInteger(ingestSamples) || ingestSamples < 0)
      throw new UsageError(`--ingest-samples must be a whole number ≥ 0, got '${values['ingest-samples']}'`);
    const t0 = Date.now();
    // loaded here, not at the top: playwright-core and the bench code stay out of every other command's start-up
    const { runBench } = await import('./run');
    const { files } = await runBench({
      quick: values.quick!,
      ingestSamples,
      skipBrowser: values['no-browser']!,
      outDir: values.out!,
      log: (l) => console.log(l),
    });
    console.log(`done in ${Math.round((Date.now() - t0) / 1000)} s; wrote ${files.join(', ')}`);
    return 0;
  },
};
