/**
 * The conv input gradient (Conv2DBackpropInput) as tfjs's matrix-multiply program instead of its
 * naive one, after checking the two agree on this GPU.
 *
 * tfjs-backend-webgpu 4.22 ships both and picks the naive program unless the flag
 * WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE is false. On an NVIDIA H200 GAPNet-PL's input
 * gradients took 2.7 ms a 256 px b32 step naive and 1.9–2.0 ms as matrix multiplies; on
 * SwiftShader the two matched within 8e-6. The matrix-multiply program is tiled and vectorised
 * differently on every GPU, so the studio compares it with the naive one on the GPU it runs on, at
 * backend start, and keeps the naive one on any difference.
 */
import * as tf from '@tensorflow/tfjs';
import { firstInputGradMismatch, runInputGrad, type InputGradCase } from './convInputGradAsConv';
import { accelFlag, CONV_INPUT_GRAD_AS_CONV_FLAG, NAIVE_CONV_INPUT_GRAD_FLAG, setAccelFlag } from '../flags';

/** The shapes compared: GAPNet's 3×3 'same' convs at stride 1 and 2, and an odd-sized 'valid' one with channel counts off the tiles. */
const CASES: InputGradCase[] = [
  { x: [2, 9, 9, 32], f: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [3, 8, 8, 64], f: [3, 3, 64, 128], stride: 2, pad: 'same' },
  { x: [2, 5, 7, 40], f: [3, 3, 40, 36], stride: 1, pad: 'valid' },
];

/** tfjs's naive or matrix-multiply program. */
const program = (naive: boolean) => (dy: tf.Tensor4D, f: tf.Tensor4D, c: InputGradCase) => {
  tf.env().set(NAIVE_CONV_INPUT_GRAD_FLAG, naive);
  return runInputGrad(dy, f, c);
};

/**
 * On webgpu: runs both programs on the CASES and, when every element agrees (within 1e-5 of the
 * largest magnitude: the two sum in different orders), leaves the matrix-multiply program on and
 * returns null. Otherwise the naive program stays on and the answer says what differed; on
 * another backend it says it does not apply.
 */
export async function adoptMatMulConvInputGrad(): Promise<string | null> {
  const backend = tf.getBackend();
  if (backend !== 'webgpu') return `not for ${backend}`;
  const before = tf.env().getBool(NAIVE_CONV_INPUT_GRAD_FLAG);
  // tfjs's two programs, not the studio's forward-convolution path in front of them (./convInputGradAsConv.ts)
  const asConv = accelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG);
  setAccelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG, false);
  // every way out but a full match (a mismatch, an error) leaves the flag as it was
  let adopted = false;
  try {
    const problem = await firstInputGradMismatch(CASES, 31, program(true), program(false));
    if (problem !== null) return `self-check failed on ${backend} (${problem}); tfjs's naive conv input gradient runs`;
    adopted = true;
    return null;
  } finally {
    tf.env().set(NAIVE_CONV_INPUT_GRAD_FLAG, adopted ? false : before);
    setAccelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG, asConv);
  }
}
