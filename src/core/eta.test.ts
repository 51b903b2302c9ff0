import { describe, expect, it } from 'vitest';
import { addReport, emptyEta, emptyRateWindow, updateEta, windowRate, type Eta } from './eta';

/** Successive ETAs of a job reported as [done, t ms] pairs. */
function etas(reports: [number, number][], total: number): (number | null)[] {
  let e: Eta = emptyEta;
  return reports.map(([done, t]) => (e = updateEta(e, done, total, t)).seconds);
}

/** The largest factor between successive shown ETAs, each compared with the previous less the time since. */
function worstStep(values: (number | null)[], times: number[]): number {
  let worst = 1;
  for (let i = 1; i < values.length; i++) {
    const [a, b] = [values[i - 1], values[i]];
    if (a === null || b === null || b === 0) continue;
    const predicted = a - (times[i] - times[i - 1]) / 1000;
    if (predicted <= 0) continue;
    worst = Math.max(worst, b / predicted, predicted / b);
  }
  return worst;
}

describe('a rate over a window of reports', () => {
  it('is null until 3 reports span 2 s, then the rate over the last 10 s', () => {
    let w = emptyRateWindow;
    w = addReport(w, 0, 0);
    w = addReport(w, 10, 1000);
    expect(windowRate(w)).toBeNull(); // 2 reports
    w = addReport(w, 20, 1500);
    expect(windowRate(w)).toBeNull(); // 1.5 s
    w = addReport(w, 30, 2000);
    expect(windowRate(w)).toBeCloseTo(15);
    // 20 s later at 100/s: the slow start has left the window
    for (let t = 3000; t <= 22_000; t += 1000) w = addReport(w, 30 + ((t - 2000) / 1000) * 100, t);
    expect(windowRate(w)).toBeCloseTo(100);
    expect(w.reports.length).toBeLessThanOrEqual(12);
  });

  it('ignores a repeated report and restarts when the work done goes back', () => {
    let w = addReport(addReport(emptyRateWindow, 5, 100), 10, 200);
    expect(addReport(w, 10, 200)).toBe(w);
    w = addReport(w, 1, 300);
    expect(w.count).toBe(1);
    expect(w.reports).toEqual([{ done: 1, t: 300 }]);
  });
});

describe('the ETA of a job', () => {
  it('an import with a slow start: "estimating…" first, then close to the truth, never 2 min for a 25 s job', () => {
    // 1,000 samples: the first 20 come in 4 s (the archive's first entries), then 40 samples/s; reports every 250 ms
    const reports: [number, number][] = [];
    for (let t = 250; t <= 4000; t += 250) reports.push([Math.round((t / 4000) * 20), t]);
    for (let t = 4250, done = 20; done < 1000; t += 250) reports.push([(done = Math.min(1000, done + 10)), t]);
    const end = reports.at(-1)![1];
    // what the page showed before: the rate since the start
    const cumulative = reports.map(([done, t]) => (1000 - done) / ((done * 1000) / t));
    expect(Math.max(...cumulative.slice(2))).toBeGreaterThan(120); // 2 min and more, for a 28.5 s job
    const shown = etas(reports, 1000);
    expect(shown.slice(0, 8)).toEqual(Array(8).fill(null)); // under 2 s of reports
    expect(shown[8]).not.toBeNull();
    // never more than 1.25× off the previous ETA (less the time since), and within 10 % of the truth once the slow start has left the window
    expect(
      worstStep(
        shown,
        reports.map((r) => r[1]),
      ),
    ).toBeLessThanOrEqual(1.25 + 1e-9);
    reports.forEach(([, t], i) => {
      if (t >= 15_000) expect(Math.abs(shown[i]! - (end - t) / 1000)).toBeLessThanOrEqual(0.1 * ((end - t) / 1000) + 0.5);
    });
    expect(shown.at(-1)).toBe(0);
  });

  it('a training run with validation between epochs: no 17 s → 32 s → 19 s', () => {
    // 12 epochs of 11 batches: 60 ms a batch with the odd 250 ms stall, then 1.2 s of validation; reports every 200 ms at most
    const reports: [number, number][] = [];
    const instant: number[] = []; // the old ETA: the remaining batches at the last report's rate
    let t = 0;
    let lastReport = { t: -1000, done: 0 };
    for (let epoch = 0; epoch < 12; epoch++) {
      for (let b = 1; b <= 11; b++) {
        t += b % 4 === 0 ? 250 : 60;
        const done = epoch * 11 + b;
        if (t - lastReport.t < 200 && b < 11) continue;
        reports.push([done, t]);
        instant.push(((132 - done) * (t - lastReport.t)) / (done - lastReport.done) / 1000);
        lastReport = { t, done };
      }
      t += 1200;
      lastReport.t = t; // the worker's rate restarts with each epoch
    }
    const times = reports.map((r) => r[1]);
    expect(worstStep(instant, times)).toBeGreaterThan(1.8);
    const shown = etas(reports, 132);
    expect(shown[0]).toBeNull();
    expect(worstStep(shown, times)).toBeLessThanOrEqual(1.25 + 1e-9);
    // after the first 10 s, within 25 % of the time actually left (validation included)
    const end = times.at(-1)! + 1200;
    reports.forEach(([, at], i) => {
      if (at >= 10_000 && i < reports.length - 1) expect(Math.abs(shown[i]! - (end - at) / 1000)).toBeLessThanOrEqual(0.25 * ((end - at) / 1000) + 1);
    });
  });

  it('starts again for a new job, and takes the raw value after a stall (rate 0)', () => {
    let e = emptyEta;
    for (let i = 0; i <= 10; i++) e = updateEta(e, i * 10, 100, i * 500);
    expect(e.seconds).toBeCloseTo(0);
    e = updateEta(e, 2, 100, 6000); // a new job
    expect(e.seconds).toBeNull();
    e = emptyEta;
    for (let i = 0; i <= 6; i++) e = updateEta(e, 10, 100, i * 500); // no progress
    expect(e.seconds).toBe(Infinity);
    e = updateEta(e, 40, 100, 3500);
    expect(Number.isFinite(e.seconds)).toBe(true);
  });
});
