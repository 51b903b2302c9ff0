import { describe, expect, it } from 'vitest';
import { CLASS_LUMINANCE, CLASS_TEXT_COLORS, contrastRatio } from './labels';

describe('class colours', () => {
  it('every class chip has text of at least WCAG AA contrast (4.5:1) on its colour', () => {
    const text = (c: string) => (c === '#fff' ? 1 : 0); // luminance of white and of black
    CLASS_LUMINANCE.forEach((l, c) => expect(contrastRatio(l, text(CLASS_TEXT_COLORS[c])), `class ${c}`).toBeGreaterThanOrEqual(4.5));
  });
});
