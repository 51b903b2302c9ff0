/**
 * The parts of `npm run bench` that `--only` selects (bench/run.ts runs them in this order):
 *   training   GAPNet training steps on every backend, the wasm/PyTorch pairs, the fused-kernel pairs
 *   inference  predict() with and without TTA
 *   ingest     ingest through the studio's file input, the data feed, augmentation, upload and a studio run's stall and long tasks
 *   transfer   MobileNetV2 and ResNet50 training steps on wasm (Node, Chromium) beside torchvision's on PyTorch CPU
 *   gpu-kit    the GPU kit's size and (full run) its self-check on SwiftShader
 *   cam        Grad-CAM's mass on the class's pattern for models trained on the teaching demo (bench/cam.ts)
 */
export const BENCH_PARTS = ['training', 'inference', 'ingest', 'transfer', 'gpu-kit', 'cam'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** `--only a,b`: the parts named, in the bench's order; every part when absent. Throws naming an unknown part. */
export function parseOnly(value: string | undefined): BenchPart[] {
  if (value === undefined) return [...BENCH_PARTS];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(BENCH_PARTS as readonly string[]).includes(n));
  if (unknown.length || !names.length)
    throw new Error(
      `--only takes a comma-separated list of ${BENCH_PARTS.join(', ')}; got '${value}'${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  return BENCH_PARTS.filter((p) => names.includes(p));
}
