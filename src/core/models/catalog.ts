/**
 * What the model registry offers, without tfjs: each model's name, the label the run setup shows,
 * its one-line summary and parameter count (checked against the built model by a unit test), and
 * the smallest input any model takes. The page reads this; registry.ts builds the models.
 */
import type { NormalisationMode } from './layers/inputNormalization';

export interface ModelInfo {
  name: string;
  /** GAPNet variants train from scratch; transfer models put a head on an ImageNet backbone */
  family: 'gapnet' | 'transfer';
  /** what the run setup's model menu says */
  label: string;
  /** one line for the CLI's model list and the model summary */
  summary: string;
  /** one line for the Train tab */
  description: string;
  /**
   * trainable + non-trainable parameters with 4 input channels and 28 classes: GAPNet at any input
   * size; transfer models with the default head and channels ('seed', 'widen') at the default input
   * size (the seed head's Dense 1024 reads the flattened backbone map, so it grows with the input)
   */
  params: number;
  /** the backbone alone, as Keras Applications counts it (no top, 3-channel input); null for GAPNet */
  backboneParams: number | null;
  /** input side in pixels: smallest the architecture takes, default, largest offered */
  inputSizes: { min: number; default: number; max: number };
  /** GAPNet's input scaling; transfer models preprocess for their backbone inside the model (null) */
  defaultNormalisation: NormalisationMode | null;
}

/** The smallest input side any model takes (GAPNet's three stride-2 stages and pools; VGG16, ResNet50, MobileNetV2 halve five times). */
export const MIN_INPUT_SIZE = 32;

/** The largest input side the run setup offers (the largest stored dataset images). */
export const MAX_INPUT_SIZE = 512;

/** Transfer models' full parameter count with the 'seed' head and 'widen' channels at the default input size (checked by a unit test). */
const PARAMS_AT_DEFAULT = { vgg16: 16_367_052, resnet50: 25_291_788, inceptionv3: 23_995_532, mobilenetv2: 3_934_636 };

export const MODELS: readonly ModelInfo[] = [
  {
    name: 'gapnet-pl',
    label: 'GAPNet-PL (paper: SELU, 630k params)',
    summary: 'GapNet-PL (Rumetshofer et al. 2019): SELU, symmetric zero padding, AlphaDropout, 630,076 params',
    family: 'gapnet',
    description: 'GAPNet-PL from the paper, trained from scratch: light, any input size',
    params: 630_076,
    backboneParams: null,
    inputSizes: { min: MIN_INPUT_SIZE, default: 256, max: MAX_INPUT_SIZE },
    defaultNormalisation: 'per-image',
  },
  {
    name: 'gapnet-kaggle',
    label: 'GAPNet Kaggle (BN + ReLU, 595k params)',
    summary: 'GapNet-PL Keras kernel (LB 0.385): BatchNorm + ReLU, valid padding, 595,468 params',
    family: 'gapnet',
    description: 'GAPNet as the Kaggle kernel built it (BatchNorm + ReLU), trained from scratch',
    params: 595_468,
    backboneParams: null,
    inputSizes: { min: MIN_INPUT_SIZE, default: 256, max: MAX_INPUT_SIZE },
    defaultNormalisation: 'div255',
  },
  {
    name: 'vgg16',
    family: 'transfer',
    label: 'VGG16 (ImageNet backbone, 14.7M + head)',
    summary: "VGG16 (Keras Applications, no top) with the seed's head; caffe preprocessing",
    description: "VGG16 backbone (14.7M params) with the seed's head: heavy; the seed's first transfer model",
    params: PARAMS_AT_DEFAULT.vgg16,
    backboneParams: 14_714_688,
    inputSizes: { min: MIN_INPUT_SIZE, default: 224, max: MAX_INPUT_SIZE },
    defaultNormalisation: null,
  },
  {
    name: 'resnet50',
    family: 'transfer',
    label: 'ResNet50 (ImageNet backbone, 23.6M + head)',
    summary: "ResNet50 v1 (Keras Applications, no top) with the seed's head; caffe preprocessing",
    description: "ResNet50 backbone (23.6M params) with the seed's head: the seed's strongest single model family",
    params: PARAMS_AT_DEFAULT.resnet50,
    backboneParams: 23_587_712,
    inputSizes: { min: MIN_INPUT_SIZE, default: 224, max: MAX_INPUT_SIZE },
    defaultNormalisation: null,
  },
  {
    name: 'inceptionv3',
    family: 'transfer',
    label: 'InceptionV3 (ImageNet backbone, 21.8M + head)',
    summary: "InceptionV3 (Keras Applications, no top) with the seed's head; [-1, 1] preprocessing; 299 px default",
    description: "InceptionV3 backbone (21.8M params) with the seed's head: 299 px by default, 75 px at least",
    params: PARAMS_AT_DEFAULT.inceptionv3,
    backboneParams: 21_802_784,
    inputSizes: { min: 75, default: 299, max: MAX_INPUT_SIZE },
    defaultNormalisation: null,
  },
  {
    name: 'mobilenetv2',
    family: 'transfer',
    label: 'MobileNetV2 (ImageNet backbone, 2.3M + head)',
    summary: "MobileNetV2 1.0 (Keras Applications, no top) with the seed's head; [-1, 1] preprocessing",
    description: 'MobileNetV2 backbone (2.3M params) with a head: light enough for a laptop GPU or wasm',
    params: PARAMS_AT_DEFAULT.mobilenetv2,
    backboneParams: 2_257_984,
    inputSizes: { min: MIN_INPUT_SIZE, default: 224, max: MAX_INPUT_SIZE },
    defaultNormalisation: null,
  },
];

/** The model of this name; throws naming the known ones. */
export function modelInfo(name: string): ModelInfo {
  const m = MODELS.find((x) => x.name === name);
  if (!m) throw new Error(`unknown model '${name}'; models: ${MODELS.map((x) => x.name).join(', ')}`);
  return m;
}
