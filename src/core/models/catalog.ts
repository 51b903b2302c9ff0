/**
 * What the model registry offers, without tfjs: each model's name, the label the run setup shows,
 * its one-line summary and parameter count (checked against the built model by a unit test), and
 * the smallest input any model takes. The page reads this; registry.ts builds the models.
 */
import type { NormalisationMode } from './layers/inputNormalization';

export interface ModelInfo {
  name: string;
  /** what the run setup's model menu says */
  label: string;
  /** one line for the CLI's model list and the model summary */
  summary: string;
  /** trainable + non-trainable parameters with 4 input channels and 28 classes (any input size) */
  params: number;
  defaultNormalisation: NormalisationMode;
}

/** The smallest input side any model takes (GAPNet's three stride-2 stages and pools). */
export const MIN_INPUT_SIZE = 32;

export const MODELS: readonly ModelInfo[] = [
  {
    name: 'gapnet-pl',
    label: 'GAPNet-PL (paper: SELU, 630k params)',
    summary: 'GapNet-PL (Rumetshofer et al. 2019): SELU, symmetric zero padding, AlphaDropout, 630,076 params',
    params: 630_076,
    defaultNormalisation: 'per-image',
  },
  {
    name: 'gapnet-kaggle',
    label: 'GAPNet Kaggle (BN + ReLU, 595k params)',
    summary: 'GapNet-PL Keras kernel (LB 0.385): BatchNorm + ReLU, valid padding, 595,468 params',
    params: 595_468,
    defaultNormalisation: 'div255',
  },
];

/** The model of this name; throws naming the known ones. */
export function modelInfo(name: string): ModelInfo {
  const m = MODELS.find((x) => x.name === name);
  if (!m) throw new Error(`unknown model '${name}'; models: ${MODELS.map((x) => x.name).join(', ')}`);
  return m;
}
