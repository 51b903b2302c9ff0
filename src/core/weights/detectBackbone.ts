/**
 * Which of the studio's backbones a weights file is for, from its layer names: each backbone has
 * layers no other one has (Keras Applications' names). A file of a near relative the studio does
 * not build (VGG19, ResNet101/152, MobileNet v1) gets a message saying so rather than a wrong match.
 */
import type { TransferModelName } from '../models/backbones/blocks';

const SIGNATURES: { backbone: TransferModelName; has: RegExp; not?: RegExp; relative?: string }[] = [
  { backbone: 'vgg16', has: /^block5_conv3$/, not: /^block5_conv4$/, relative: 'VGG19' },
  { backbone: 'resnet50', has: /^conv5_block3_3_conv$/, not: /^conv4_block7_/, relative: 'ResNet101/152' },
  { backbone: 'inceptionv3', has: /^mixed10$/ },
  { backbone: 'mobilenetv2', has: /^block_16_project$/ },
];

export class UnknownBackboneError extends Error {
  override name = 'UnknownBackboneError';
}

/** The backbone whose layers `layerNames` are; throws naming what was found when none fits. */
export function detectBackbone(layerNames: readonly string[], file = 'the weights file'): TransferModelName {
  for (const s of SIGNATURES) {
    if (!layerNames.some((n) => s.has.test(n))) continue;
    if (s.not && layerNames.some((n) => s.not!.test(n)))
      throw new UnknownBackboneError(
        `${file} looks like ${s.relative}, which the studio does not build; it takes VGG16, ResNet50, InceptionV3 and MobileNetV2`,
      );
    return s.backbone;
  }
  const shown = layerNames.slice(0, 6).join(', ');
  throw new UnknownBackboneError(
    `${file} holds no layer of the studio's backbones (VGG16 block5_conv3, ResNet50 conv5_block3_3_conv, InceptionV3 mixed10, MobileNetV2 block_16_project); ` +
      `its first layers: ${shown || 'none'}`,
  );
}
