import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  checkSynthOptions,
  classCounts,
  MAX_SIZE,
  MIN_SIZE,
  minPerClassOf,
  planDataset,
  type SynthOptions,
  TEACHING_MIN_PER_CLASS,
  writeDatasetZip,
} from '../../synth/index';
import { type Command, UsageError } from '../command';
import { fileCentralDirectory } from '../fileCentralDirectory';

function wholeNumber(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${flag} must be a whole number, got '${value}'`);
  return Number(value);
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export const makeDataset: Command = {
  name: 'make-dataset',
  summary: 'write a synthetic HPA-like dataset zip (Kaggle layout, real label sets)',
  usage: `Usage: hpa-studio make-dataset --train N --test M --size S --seed K [--cap-dominant | --teaching] --out file.zip

Writes a zip in the Kaggle layout: train.csv, sample_submission.csv, test_labels.csv (the test
ground truth), train/{Id}_{red,green,blue,yellow}.png and test/{Id}_{...}.png. Images are synthetic
cell micrographs whose green channel shows the patterns of each sample's classes; label sets are
drawn from the real competition train.csv. The same options always give the same bytes.
The zip is streamed to disk in bounded memory (its central directory waits in file.zip.part.cd,
not in memory; ZIP64 where the counts or sizes need it), so the full scale (31072 + 11702
samples, 171,099 entries, at any size) works.

  --train N         train samples (default 200)
  --test M          test samples (default 50)
  --size S          image side in px, ${MIN_SIZE}..${MAX_SIZE} (default 128)
  --seed K          integer seed (default 1)
  --cap-dominant    keep label sets with class 0 or 25 only 1 time in 4 (for small demo sets)
  --teaching        the teaching demo (docs/teaching-demo.md): every class in at least
                    ${TEACHING_MIN_PER_CLASS} train samples and the same share of the test samples (rare
                    real label sets drawn more often), cleaner images of fewer, larger cells;
                    implies --cap-dominant. Prints the class counts of both splits
  --min-per-class N with --teaching: another minimum than ${TEACHING_MIN_PER_CLASS}
  --out file.zip    where to write (required); written to file.zip.part, renamed when complete
  --quiet           no progress line`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        train: { type: 'string' },
        test: { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
        'cap-dominant': { type: 'boolean' },
        teaching: { type: 'boolean' },
        'min-per-class': { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.out) throw new UsageError('--out is required (the zip file to write)');
    const opts: SynthOptions = {
      train: wholeNumber('train', values.train, 200),
      test: wholeNumber('test', values.test, 50),
      size: wholeNumber('size', values.size, 128),
      seed: wholeNumber('seed', values.seed, 1),
      capDominant: (values['cap-dominant'] || values.teaching) ?? false,
    };
    if (values['min-per-class'] !== undefined && !values.teaching) throw new UsageError('--min-per-class needs --teaching');
    if (values.teaching) {
      opts.teaching = true;
      opts.minPerClass = wholeNumber('min-per-class', values['min-per-class'], TEACHING_MIN_PER_CLASS);
      if (opts.minPerClass < 0) throw new UsageError(`--min-per-class must be ≥ 0, got ${opts.minPerClass}`);
    }
    try {
      checkSynthOptions(opts);
    } catch (e) {
      throw new UsageError(`--${(e as Error).message}`);
    }
    const out = values.out;
    const part = `${out}.part`;
    const tty = process.stderr.isTTY === true;
    const t0 = performance.now();
    let lastPrint = 0;
    const progress = (done: number, total: number) => {
      if (values.quiet) return;
      const now = performance.now();
      // a TTY line is rewritten up to 10×/s; plain output gets a line every 10 s
      if (done !== total && now - lastPrint < (tty ? 100 : 10_000)) return;
      lastPrint = now;
      const secs = (now - t0) / 1000;
      const rate = done / Math.max(secs, 1e-9);
      const eta = done ? (total - done) / rate : NaN;
      const pct = total ? ((100 * done) / total).toFixed(1) : '100.0';
      const line = `${done}/${total} samples (${pct}%)  ${done ? rate.toFixed(1) : '-'} samples/s  elapsed ${duration(secs)}  ETA ${done === total ? '0s' : duration(eta)}`;
      if (tty) process.stderr.write(`\r${line}\x1b[K${done === total ? '\n' : ''}`);
      else console.error(line);
    };
    const controller = new AbortController();
    const onSignal = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    try {
      const file = createWriteStream(part);
      await writeDatasetZip(opts, Writable.toWeb(file) as WritableStream<Uint8Array>, progress, controller.signal, fileCentralDirectory(`${part}.cd`));
      await rename(part, out);
    } catch (e) {
      await rm(part, { force: true });
      throw new Error(`${out}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      process.off('SIGINT', onSignal);
    }
    const secs = (performance.now() - t0) / 1000;
    const n = opts.train + opts.test;
    const kind = opts.teaching ? `, teaching demo (at least ${opts.minPerClass} samples per class)` : opts.capDominant ? ', dominant classes capped' : '';
    console.log(
      `${out}: ${opts.train} train + ${opts.test} test samples at ${opts.size} px, seed ${opts.seed}${kind} ` +
        `in ${duration(secs)} (${(n / secs).toFixed(1)} samples/s)`,
    );
    if (opts.teaching) {
      const plan = planDataset(opts);
      const min = minPerClassOf(opts);
      for (const split of ['train', 'test'] as const) {
        const counts = classCounts(plan[split]);
        const short = counts.flatMap((k, c) => (k < min[split] ? [`${c} (${k})`] : []));
        console.log(
          `${split} samples per class 0..27: ${counts.join(' ')}${short.length ? `; under ${min[split]}: ${short.join(', ')} (too few samples)` : ''}`,
        );
      }
    }
    return 0;
  },
};
