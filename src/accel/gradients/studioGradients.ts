/**
 * The studio's gradients in place of tfjs's, as training uses them: Mean/Sum without host-built ones
 * (reduceGradients.ts) and BatchNorm from two channel sums (batchNormGradient.ts). A backend start
 * installs them (its registry entry 'studio gradients', ../registry.ts), as does the bench's "studio"
 * kernel set; the bench's "tfjs" set restores them.
 */
import { installBatchNormGradient, restoreBatchNormGradient } from './batchNormGradient';
import { installReduceGradients, restoreReduceGradients } from './reduceGradients';

export function installStudioGradients(): void {
  installReduceGradients();
  installBatchNormGradient();
}

export function restoreStudioGradients(): void {
  restoreReduceGradients();
  restoreBatchNormGradient();
}
