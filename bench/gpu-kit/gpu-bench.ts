/**
 * The GPU kit's benchmark (bundled by bench/gpu-kit/make-kit.sh into gpu-bench.mjs): GapNet
 * training steps on tfjs-backend-webgpu in Node through Dawn (the `webgpu` npm package, loaded
 * from node_modules/webgpu next to the bundle), the same step as bench/lib/trainSteps.ts.
 *   ./node gpu-bench.mjs [--model gapnet-pl] [--size 128] [--batch 32] [--warmup 3] [--steps 10] [--kernels studio|tfjs] [--pipeline] [--flag NAME=VALUE] [--gpu-time N] [--dawn backend=vulkan]
 * --kernels tfjs times tfjs's own Adam, SELU gradient and conv filter gradient (the studio before its own kernels), for a before/after pair.
 * --pipeline reads each loss one step late (step i+1 queued before step i's loss is awaited): what that change to the loop would buy.
 * --flag NAME=VALUE sets a tfjs flag (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30; repeatable).
 * --gpu-time N adds N steps timed kernel by kernel on the GPU (timestamp queries; pass
 *   --dawn enable-dawn-features=allow_unsafe_apis where Dawn hides the feature): GPU-busy ms per step and the costliest kernel types.
 * Prints one JSON line.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { verifyFusedAdam } from '../../src/core/train/fusedAdam';
import { registerWebGpuConv2dFilterGrad, verifyConv2dFilterGrad } from '../../src/core/webgpu/conv2dFilterGrad';
import { registerWebGpuSeluGrad, verifySeluGrad } from '../../src/core/webgpu/seluGrad';
import { registerWebGpuUint8Upload } from '../../src/core/webgpu/uint8Upload';
import { timeStepKernels, timeTraining } from '../lib/trainSteps';

const { values: o } = parseArgs({
  options: {
    model: { type: 'string', default: 'gapnet-pl' },
    size: { type: 'string', default: '128' },
    batch: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    steps: { type: 'string', default: '10' },
    kernels: { type: 'string', default: 'studio' },
    pipeline: { type: 'boolean', default: false },
    dawn: { type: 'string', multiple: true, default: [] },
    flag: { type: 'string', multiple: true, default: [] },
    'gpu-time': { type: 'string', default: '0' },
  },
});

// Dawn's globals (GPUBufferUsage...) and navigator.gpu must exist before tfjs-backend-webgpu loads:
// it registers the 'webgpu' backend only when navigator.gpu is there.
const dawnModule = 'webgpu';
const { create, globals } = (await import(dawnModule)) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
Object.assign(globalThis, globals);
const gpu = create(o.dawn!) as { requestAdapter(): Promise<{ info?: Record<string, string> } | null> };
Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
await import('@tensorflow/tfjs-backend-webgpu');
const adapter = await gpu.requestAdapter();
if (!adapter) throw new Error('no WebGPU adapter: is the NVIDIA Vulkan driver installed (vulkaninfo)? see bench/README.md');
if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs webgpu backend did not start');
await tf.ready();
const flags: Record<string, number | boolean> = {};
for (const f of o.flag!) {
  const [name, value] = f.split('=');
  if (!name || value === undefined) throw new Error(`--flag ${f}: expected NAME=VALUE`);
  flags[name] = value === 'true' ? true : value === 'false' ? false : Number(value);
  if (typeof flags[name] === 'number' && !Number.isFinite(flags[name])) throw new Error(`--flag ${f}: the value is not a number or true/false`);
}
tf.env().setFlags(flags);
const model = o.model === 'gapnet-kaggle' ? 'gapnet-kaggle' : 'gapnet-pl';
const size = Number(o.size), batch = Number(o.batch);
const kernels = o.kernels === 'tfjs' ? 'tfjs' : 'studio';
// the fused Adam's WGSL against tfjs's Adam on this GPU; on a mismatch it is off and tfjs's Adam runs
const adamCheck = (await verifyFusedAdam()) ?? 'passed';
// the studio's other webgpu kernels (src/worker/backend.ts registers the same)
registerWebGpuUint8Upload();
registerWebGpuSeluGrad();
const seluGradCheck = (await verifySeluGrad()) ?? 'passed';
registerWebGpuConv2dFilterGrad();
const convFilterGradCheck = (await verifyConv2dFilterGrad()) ?? 'passed';
const t = await timeTraining({ model, size, batch, warmup: Number(o.warmup), steps: Number(o.steps), budgetMs: 600_000, kernels, pipeline: o.pipeline });
const gpuSteps = Number(o['gpu-time']);
const gpuTime = gpuSteps > 0 ? await timeStepKernels({ model, size, batch, kernels }, gpuSteps) : undefined;
const enc = [...t.encodeMs].sort((a, b) => a - b);
const s = [...t.stepMs].sort((a, b) => a - b);
const median = s[s.length >> 1];
process.stdout.write(
  JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version.tfjs, adapter: Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, adapter.info?.[k] ?? ''])), model, size, batch, kernels, pipeline: o.pipeline, flags, timestampQuery: (adapter as { features?: Set<string> }).features?.has('timestamp-query') ?? false, adamCheck, seluGradCheck, convFilterGradCheck, params: t.params, firstStepMs: t.firstStepMs, stepMs: t.stepMs, medianMs: median, encodeMedianMs: enc[enc.length >> 1], imgPerS: (batch * 1000) / median, gpuTime }) + '\n',
);
