import { describe, expect, it } from 'vitest';
import { paramsNote, transferPlan, WASM_HEAP_MAX, wasmStepBytes } from './lib/transferPlan';

describe('bench transfer part', () => {
  it('measures MobileNetV2 and ResNet50 at 128 and 224 px, quick and full, each with a batch whose wasm step fits the heap', () => {
    for (const quick of [true, false]) {
      const plan = transferPlan(quick);
      expect(plan.map((c) => `${c.model} ${c.size}`).sort()).toEqual(['mobilenetv2 128', 'mobilenetv2 224', 'resnet50 128', 'resnet50 224']);
      for (const c of plan) {
        expect(c.warmup + c.steps).toBeGreaterThanOrEqual(2); // at least one timed step after the first
        expect(wasmStepBytes(c.model, c.size, c.batch)).toBeLessThan(0.85 * WASM_HEAP_MAX);
      }
    }
    // ResNet50 at 224 px batch 4 aborted the wasm module (measured): the plan must stay below it
    expect(wasmStepBytes('resnet50', 224, 4)).toBeGreaterThan(WASM_HEAP_MAX);
    // --quick is the short one
    expect(transferPlan(true)[0].budgetMs).toBeLessThan(transferPlan(false)[0].budgetMs);
  });

  it('puts both parameter counts side by side and flags any gap other than the known one', () => {
    expect(paramsNote('mobilenetv2', 3_934_636, 3_934_636)).toBe('params 3,934,636 (tfjs) vs 3,934,636 (torchvision) (same)');
    expect(paramsNote('resnet50', 25_291_788, 25_265_228)).toMatch(
      /25,291,788 \(tfjs\) vs 25,265,228 \(torchvision\) \(tfjs has 26,560 more: Keras's convolution biases, as expected\)/,
    );
    expect(paramsNote('resnet50', 25_291_788, 25_291_788)).toMatch(/DIFFERENT: tfjs − torch = 0, expected 26,560/);
    expect(paramsNote('mobilenetv2', 3_934_924, 3_934_636)).toMatch(/DIFFERENT: tfjs − torch = 288, expected 0/);
    expect(paramsNote('mobilenetv2', 3_934_636, null)).toBe('params 3,934,636 (tfjs)');
  });
});
