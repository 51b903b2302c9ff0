/**
 * Replacing tfjs's registered gradient of some kernels with the studio's, for as long as wanted:
 * tfjs's own gradient is kept, so a replacement can hand a case back to it and the bench can put it
 * back to time the studio before the change. Used by reduceGradients.ts and batchNormGradient.ts;
 * studioGradients.ts installs them all.
 */
import * as tf from '@tensorflow/tfjs';

export interface GradientOverride {
  /** registers the replacements (idempotent), keeping tfjs's gradients */
  install(): void;
  /** puts tfjs's gradients back */
  restore(): void;
  /** whether every replacement is the registered gradient */
  installed(): boolean;
  /** tfjs's gradient for a replaced kernel, once install() has run */
  original(kernelName: string): tf.GradConfig | undefined;
}

export function gradientOverride(configs: () => readonly tf.GradConfig[]): GradientOverride {
  const originals = new Map<string, tf.GradConfig>();
  return {
    install() {
      for (const config of configs()) {
        const current = tf.getGradient(config.kernelName);
        if (current === config) continue;
        if (current) originals.set(config.kernelName, current);
        tf.registerGradient(config);
      }
    },
    restore() {
      for (const config of configs()) {
        const original = originals.get(config.kernelName);
        if (original && tf.getGradient(config.kernelName) === config) tf.registerGradient(original);
      }
    },
    installed: () => configs().every((config) => tf.getGradient(config.kernelName) === config),
    original: (kernelName) => originals.get(kernelName),
  };
}
