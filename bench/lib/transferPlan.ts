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
 * --quick: batch 4, the first step and up to 3 timed ones within 15 s per combo (ResNet50 at
 * 224 px is a few seconds a step on one wasm thread here, so it gets one), so that the whole
 * section (PyTorch, Node and Chromium for 4 combos) stays near 3 minutes on the 2-core machine.
 * Full: batch 8, two warm-ups and up to 5 timed steps within 90 s.
 */
export function transferPlan(quick: boolean): TransferCombo[] {
  return TRANSFER_MODELS.flatMap((model) =>
    TRANSFER_SIZES.map((size) =>
      quick ? { model, size, batch: 4, warmup: 1, steps: 3, budgetMs: 15_000 } : { model, size, batch: 8, warmup: 2, steps: 5, budgetMs: 90_000 },
    ),
  );
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
