import { describe, expect, it } from 'vitest';
import { detectBackbone } from './detectBackbone';

describe('detectBackbone', () => {
  it('finds each backbone from layer names only it has', () => {
    expect(detectBackbone(['input_1', 'block1_conv1', 'block5_conv3', 'block5_pool'])).toBe('vgg16');
    expect(detectBackbone(['conv1_pad', 'conv1_conv', 'conv4_block6_out', 'conv5_block3_3_conv'])).toBe('resnet50');
    expect(detectBackbone(['conv2d_1', 'mixed9_1', 'mixed10'])).toBe('inceptionv3');
    expect(detectBackbone(['Conv1', 'block_16_project', 'Conv_1'])).toBe('mobilenetv2');
  });
  it('names a relative the studio does not build, and what an unknown file holds', () => {
    expect(() => detectBackbone(['block5_conv3', 'block5_conv4'], 'vgg19.h5')).toThrow(/vgg19\.h5 looks like VGG19/);
    expect(() => detectBackbone(['conv4_block7_1_conv', 'conv5_block3_3_conv'])).toThrow(/ResNet101\/152/);
    expect(() => detectBackbone(['dense_1', 'dense_2'], 'head.h5')).toThrow(/head\.h5 holds no layer.*its first layers: dense_1, dense_2/);
  });
});
