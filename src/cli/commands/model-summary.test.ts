import { describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';

const { out, err } = captureConsole();

describe('hpa-studio model-summary for transfer models', () => {
  it("prints the backbone's Keras Applications count beside the full model's with the chosen head and channels", async () => {
    const cases: [string, string[], RegExp, RegExp][] = [
      ['vgg16', [], /Backbone params .*: 14,714,688/, /Full model params \(head seed, channels widen, 224×224×4\): 16,367,052/],
      [
        'resnet50',
        ['--head', 'gap', '--channels', 'rgb', '--size', '64'],
        /Backbone params .*: 23,587,712/,
        /Full model params \(head gap, channels rgb, 64×64×4\): 23,645,084/,
      ],
      [
        'inceptionv3',
        ['--head', 'gap', '--input-size', '75'],
        /Backbone params .*: 21,802,784/,
        /Full model params \(head gap, channels widen, 75×75×4\): 21,860,444/,
      ],
      [
        'mobilenetv2',
        ['--channels', 'adapter', '--size', '64'],
        /Backbone params .*: 2,257,984/,
        /Full model params \(head seed, channels adapter, 64×64×4\): 2,459,799/,
      ],
    ];
    for (const [model, flags, backbone, full] of cases) {
      out.length = 0;
      expect(await main(['model-summary', '--model', model, ...flags]), model).toBe(0);
      const text = out.join('\n');
      expect(text).toMatch(backbone);
      expect(text).toMatch(full);
      expect(text).toMatch(/Note: preprocessing/);
    }
  }, 120_000);

  it('refuses sizes below the backbone minimum and options a model does not take', async () => {
    expect(await main(['model-summary', '--model', 'inceptionv3', '--size', '64'])).toBe(2);
    expect(err.join('\n')).toMatch(/--size must be an integer ≥ 75 for inceptionv3/);
    expect(await main(['model-summary', '--model', 'resnet50', '--head', 'dense'])).toBe(2);
    expect(err.join('\n')).toMatch(/--head 'dense' is not one of seed, gap/);
    expect(await main(['model-summary', '--model', 'gapnet-pl', '--head', 'gap'])).toBe(2);
  });
});
