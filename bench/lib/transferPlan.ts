/**
 * What the bench's transfer section measures (bench/transfer.ts): MobileNetV2 and ResNet50 at 128
 * and 224 px, trained a step at a time on wasm (Node and Chromium) beside PyTorch CPU running
 * torchvision's definitions of the same networks (bench/torch_ref.py), same batch, one thread
 * each. Pure: the plan, the step budgets and what the parameter counts of the two sides must differ by.
 */

export const TRANSFER_MODELS = ['mobilenetv2', 'resnet50'] as const;
export type TransferModel = (typeof TRANSFER_MODELS)[number];
export const TRANSFER_SIZES = [128, 224] as const;

/** The studio's defaults for a transfer run (transfer-contract: fourChannels 'widen', head 'seed'). */
export const TRANSFER_CHANNELS = 'widen' as const;
export const TRANSFER_HEAD = 'seed' as const;

export interface TransferCombo {
  model: TransferModel;
  size: number;
  batch: number;
  /** steps before timing, the first included (it builds the kernels and Adam's moments) */
  warmup: number;
  steps: number;
  /** the tfjs side stops timing after this many ms (first step included), keeping at least one timed step */
  budgetMs: number;
}

/**
 * The batch of each combination, the same for PyTorch and tfjs: the largest power of two whose
 * wasm training step stays well inside the wasm heap (wasmStepBytes), so that MobileNetV2 at
 * 224 px trains 4 images a step and ResNet50 at 224 px only 2.
 */
export const TRANSFER_BATCH: Record<TransferModel, Record<(typeof TRANSFER_SIZES)[number], number>> = {
  mobilenetv2: { 128: 8, 224: 4 },
  resnet50: { 128: 4, 224: 2 },
};

/**
 * --quick: the first step and up to 3 timed ones within 15 s per combination (ResNet50 at 224 px is
 * several seconds a step on one wasm thread here, so it gets one), so that the whole part
 * (PyTorch, Node and Chromium for 4 combinations) stays near 3 minutes on the unloaded 2-core machine.
 * Full: two warm-ups and up to 5 timed steps within 90 s.
 */
export function transferPlan(quick: boolean): TransferCombo[] {
  return TRANSFER_MODELS.flatMap((model) =>
    TRANSFER_SIZES.map((size) => {
      const batch = TRANSFER_BATCH[model][size];
      return quick ? { model, size, batch, warmup: 1, steps: 3, budgetMs: 15_000 } : { model, size, batch, warmup: 2, steps: 5, budgetMs: 90_000 };
    }),
  );
}

/** tfjs-backend-wasm's heap: 32-bit addresses, grown up to 4 GB; a step past it aborts the module ("RuntimeError: Aborted()"). */
export const WASM_HEAP_MAX = 4_294_901_760;

/**
 * The wasm heap a training step of the studio's model (widened, seed head) reaches, estimated from
 * what one step's heap grew to in Node (tfjs 4.22, 2026-12-06): ResNet50 at 224 px batch 2, 2,423 MB;
 * MobileNetV2 at 224 px batch 4, 2,513 MB. tfjs keeps every intermediate of the forward pass for
 * the gradients (535 MB an image for ResNet50 at 224 px, 280 MB for MobileNetV2), and the heap
 * peaks at about twice that during the backward pass; per image it scales with the pixels.
 */
export function wasmStepBytes(model: TransferModel, size: number, batch: number): number {
  const perImageAt224 = { resnet50: 2423e6 / 2, mobilenetv2: 2513e6 / 4 }[model];
  return perImageAt224 * (size / 224) ** 2 * batch;
}

/**
 * tfjs count − torch count, both counting BatchNorm's moving statistics as parameters: Keras
 * Applications' ResNet50 convolutions carry a bias (26,560 in all), torchvision's do not (BatchNorm
 * follows each); MobileNetV2's layers are the same in both. Heads and the widened first
 * convolution are built alike on both sides.
 */
export const EXPECTED_PARAM_GAP: Record<TransferModel, number> = { mobilenetv2: 0, resnet50: 26_560 };

/** The note comparing the two sides' parameter counts: equal where the networks are, else the known gap. */
export function paramsNote(model: TransferModel, ours: number, torch: number | null): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (torch === null) return `params ${n(ours)} (tfjs)`;
  const gap = ours - torch;
  const expected = EXPECTED_PARAM_GAP[model];
  const verdict =
    gap === expected
      ? expected === 0
        ? '(same)'
        : `(tfjs has ${n(gap)} more: Keras's convolution biases, as expected)`
      : `(DIFFERENT: tfjs − torch = ${n(gap)}, expected ${n(expected)})`;
  return `params ${n(ours)} (tfjs) vs ${n(torch)} (torchvision) ${verdict}`;
}
