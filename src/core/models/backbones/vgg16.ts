/**
 * VGG16 without its top, as Keras Applications builds it (keras/applications/vgg16.py): five
 * blocks of 3×3 'same' ReLU convs with bias (64, 128, 256, 512, 512 filters; 2, 2, 3, 3, 3 convs),
 * each ending in a 2×2 stride-2 max pool. Names block{b}_conv{i}, block{b}_pool.
 */
import { conv, maxPool, type LayerSeeds, type T } from './layerMakers';

const BLOCKS: readonly [number, number][] = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
];

export function vgg16(input: T, seeds: LayerSeeds): T {
  let x = input;
  BLOCKS.forEach(([filters, convs], b) => {
    for (let i = 1; i <= convs; i++) x = conv(x, seeds, { name: `block${b + 1}_conv${i}`, filters, kernelSize: 3, padding: 'same', activation: 'relu' });
    x = maxPool(x, `block${b + 1}_pool`, 2, 2);
  });
  return x;
}
