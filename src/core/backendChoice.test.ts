import { describe, expect, it } from 'vitest';
import {
  CLEARLY_SLOWER,
  MAX_REMEMBERED_CHOICES,
  WARMUP_GRACE_MS,
  adapterKey,
  choiceKey,
  describeChoice,
  fastest,
  figureWords,
  findRemembered,
  gpuSkipReason,
  probeOrder,
  rememberChoice,
  stepDeadlineMs,
  type AutoChoice,
  type ChoiceScope,
} from './backendChoice';

const swiftShader = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', fallback: true };
const scope: ChoiceScope = { adapter: adapterKey(swiftShader), model: 'gapnet-pl', inputSize: 32, batchSize: 8, wasmThreads: 0 };
const choice = (patch: Partial<AutoChoice> = {}): AutoChoice => ({
  ...scope,
  backend: 'wasm',
  figures: [
    { backend: 'wasm', imagesPerSecond: 48, note: '' },
    { backend: 'webgpu', imagesPerSecond: null, note: 'stopped: its first step took over 2.0 s; wasm measured in full in 0.3 s' },
    { backend: 'webgl', imagesPerSecond: 11.9, note: '' },
  ],
  measuredAt: new Date(2025, 0, 2, 14, 3).getTime(),
  seconds: 5.2,
  softwareAdapter: true,
  ...patch,
});

describe('remembered Auto choices', () => {
  it('are keyed by adapter, model, input size, batch and wasm threads', () => {
    const keys = new Set(
      [
        scope,
        { ...scope, adapter: adapterKey(null) },
        { ...scope, adapter: adapterKey({ ...swiftShader, fallback: false }) },
        { ...scope, model: 'resnet18' },
        { ...scope, inputSize: 64 },
        { ...scope, batchSize: 16 },
        { ...scope, wasmThreads: 1 },
      ].map(choiceKey),
    );
    expect(keys.size).toBe(7);
    expect(findRemembered([choice()], scope)?.backend).toBe('wasm');
    expect(findRemembered([choice()], { ...scope, batchSize: 16 })).toBeNull();
    expect(findRemembered([choice()], { ...scope, wasmThreads: 2 })).toBeNull();
  });

  it('keep the newest per scope, newest first, and at most a fixed number', () => {
    const older = choice({ backend: 'webgl', measuredAt: 1 });
    const list = rememberChoice([older, choice({ inputSize: 64 })], choice());
    expect(list).toHaveLength(2);
    expect(list[0].backend).toBe('wasm');
    expect(findRemembered(list, scope)?.backend).toBe('wasm');
    let many: AutoChoice[] = [];
    for (let i = 0; i < MAX_REMEMBERED_CHOICES + 5; i++) many = rememberChoice(many, choice({ inputSize: 16 + i }));
    expect(many).toHaveLength(MAX_REMEMBERED_CHOICES);
    expect(many[0].inputSize).toBe(16 + MAX_REMEMBERED_CHOICES + 4);
  });
});

describe('the probe plan', () => {
  it('measures wasm first on a software adapter, the GPU backends first on a GPU', () => {
    expect(probeOrder(true)).toEqual(['wasm', 'webgl', 'webgpu']);
    expect(probeOrder(false)).toEqual(['webgpu', 'webgl', 'wasm']);
  });

  it('skips webgpu and webgl on a software adapter where wasm beat them for this model before', () => {
    const at64 = choice({ inputSize: 64, batchSize: 16 });
    expect(gpuSkipReason([at64], scope, true)).toMatch(
      /^skipped: on this software adapter wasm beat it for gapnet-pl at 64 px, batch 16 \(2025-01-02 14:03\)$/,
    );
    // not on a hardware adapter, not for another model, not where webgl won, not without both measured
    expect(gpuSkipReason([at64], scope, false)).toBeNull();
    expect(gpuSkipReason([at64], { ...scope, model: 'resnet18' }, true)).toBeNull();
    expect(gpuSkipReason([choice({ inputSize: 64, backend: 'webgl' })], scope, true)).toBeNull();
    expect(gpuSkipReason([choice({ inputSize: 64, figures: [{ backend: 'wasm', imagesPerSecond: 48, note: '' }] })], scope, true)).toBeNull();
    expect(gpuSkipReason([at64], { ...scope, adapter: adapterKey({ ...swiftShader, device: 'other' }) }, true)).toBeNull();
  });

  it('stops a backend whose step falls clearly behind the best one so far', () => {
    expect(stepDeadlineMs(null, true)).toBeNull();
    expect(stepDeadlineMs(null, false)).toBeNull();
    // wasm measured whole in 0.3 s: a GPU's first step (compiling its programs) still gets the grace
    const wasm = { backend: 'wasm' as const, wholeMs: 300, stepMs: 70 };
    expect(stepDeadlineMs(wasm, true)).toBe(WARMUP_GRACE_MS);
    // a slow leader: its whole measurement
    expect(stepDeadlineMs({ ...wasm, wholeMs: 9000 }, true)).toBe(9000);
    expect(stepDeadlineMs(wasm, false)).toBe(CLEARLY_SLOWER * 70);
  });
});

describe('the words', () => {
  it('name the fastest measured backend and why', () => {
    const c = choice();
    expect(fastest(c.figures)?.backend).toBe('wasm');
    expect(fastest([{ backend: 'webgpu', imagesPerSecond: null, note: 'x' }])).toBeNull();
    expect(c.figures.map(figureWords)).toEqual(['wasm 48.0 img/s', 'webgpu stopped', 'webgl 11.9 img/s']);
    expect(figureWords({ backend: 'webgl', imagesPerSecond: null, note: 'skipped: …' })).toBe('webgl skipped');
    expect(figureWords({ backend: 'webgl', imagesPerSecond: null, note: 'init error' })).toBe('webgl n/a');
    expect(describeChoice(c, false)).toBe(
      'auto: fastest for gapnet-pl at 32 px, batch 8, measured in 5.2 s (wasm 48.0 img/s, webgpu n/a (stopped: its first step took over 2.0 s; wasm measured in full in 0.3 s), webgl 11.9 img/s)',
    );
    expect(describeChoice(c, true)).toMatch(/^auto: remembered from 2025-01-02 14:03: fastest for gapnet-pl at 32 px, batch 8 \(wasm 48\.0 img\/s, /);
  });
});
