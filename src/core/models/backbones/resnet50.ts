/**
 * ResNet50 (v1) without its top, as Keras Applications builds it (keras/applications/resnet.py):
 * conv1_pad (3) → conv1_conv 7×7/2 → conv1_bn → conv1_relu → pool1_pad (1) → pool1_pool 3×3/2,
 * then stacks conv2 … conv5 of 3, 4, 6, 3 bottleneck blocks. Every conv has a bias; BatchNorm
 * epsilon is 1.001e-5 (Keras's resnet.py; the old keras-applications resnet50.py used 1e-3).
 * Unlike torchvision's ResNet50 (v1.5), the stride of a downsampling block sits on its first 1×1
 * conv (`_1_conv`) and on the shortcut (`_0_conv`), not on the 3×3.
 */
import { add, batchNorm, conv, maxPool, relu, zeroPad, type LayerSeeds, type T } from './layerMakers';

const EPS = 1.001e-5;

function block(x: T, seeds: LayerSeeds, filters: number, stride: number, convShortcut: boolean, name: string): T {
  let shortcut = x;
  if (convShortcut) {
    shortcut = conv(x, seeds, { name: `${name}_0_conv`, filters: 4 * filters, kernelSize: 1, strides: stride });
    shortcut = batchNorm(shortcut, { name: `${name}_0_bn`, epsilon: EPS });
  }
  let y = conv(x, seeds, { name: `${name}_1_conv`, filters, kernelSize: 1, strides: stride });
  y = relu(batchNorm(y, { name: `${name}_1_bn`, epsilon: EPS }), `${name}_1_relu`);
  y = conv(y, seeds, { name: `${name}_2_conv`, filters, kernelSize: 3, padding: 'same' });
  y = relu(batchNorm(y, { name: `${name}_2_bn`, epsilon: EPS }), `${name}_2_relu`);
  y = conv(y, seeds, { name: `${name}_3_conv`, filters: 4 * filters, kernelSize: 1 });
  y = batchNorm(y, { name: `${name}_3_bn`, epsilon: EPS });
  return relu(add([shortcut, y], `${name}_add`), `${name}_out`);
}

function stack(x: T, seeds: LayerSeeds, filters: number, blocks: number, stride: number, name: string): T {
  x = block(x, seeds, filters, stride, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) x = block(x, seeds, filters, 1, false, `${name}_block${i}`);
  return x;
}

export function resNet50(input: T, seeds: LayerSeeds): T {
  let x = zeroPad(input, 'conv1_pad', [
    [3, 3],
    [3, 3],
  ]);
  x = conv(x, seeds, { name: 'conv1_conv', filters: 64, kernelSize: 7, strides: 2 });
  x = relu(batchNorm(x, { name: 'conv1_bn', epsilon: EPS }), 'conv1_relu');
  x = zeroPad(x, 'pool1_pad', [
    [1, 1],
    [1, 1],
  ]);
  x = maxPool(x, 'pool1_pool', 3, 2);
  x = stack(x, seeds, 64, 3, 1, 'conv2');
  x = stack(x, seeds, 128, 4, 2, 'conv3');
  x = stack(x, seeds, 256, 6, 2, 'conv4');
  return stack(x, seeds, 512, 3, 2, 'conv5');
}
