/**
 * Writes docs/gallery.png (and docs/gallery.md): one synthetic sample per class, each carrying only
 * that class, as its composite (red → R, green → G, blue → B, yellow → R+G) beside its green channel.
 *
 *   npx tsx scripts/gallery.ts [--size 512] [--tile 256] [--seed 7] [--out docs/gallery.png]
 *
 * Samples are rendered at --size and box-downsampled to --tile for display.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { CLASS_NAMES, NUM_CLASSES } from '../src/core/labels';
import { PATTERN_DESCRIPTIONS } from '../src/synth/classPatterns';
import { renderSample } from '../src/synth/index';
import { drawText, GLYPH_H } from './bitmapFont';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '512' },
    tile: { type: 'string', default: '256' },
    seed: { type: 'string', default: '7' },
    cols: { type: 'string', default: '4' },
    out: { type: 'string', default: resolve(root, 'docs/gallery.png') },
    classes: { type: 'string' },
  },
});
const size = Number(values.size);
const tile = Number(values.tile);
const seed = Number(values.seed);
const cols = Number(values.cols);
const classes = values.classes ? values.classes.split(',').map(Number) : Array.from({ length: NUM_CLASSES }, (_, c) => c);
if (size % tile !== 0) throw new Error(`--size ${size} must be a multiple of --tile ${tile}`);
const f = size / tile;

const gap = 6;
const labelH = GLYPH_H * 2 + 6;
const cellW = 2 * tile + gap;
const cellH = tile + labelH;
const rows = Math.ceil(classes.length / cols);
const W = cols * cellW + (cols + 1) * gap;
const H = rows * cellH + (rows + 1) * gap;
const rgb = new Uint8Array(W * H * 3).fill(24);

/** Box-downsamples one channel by f. */
function down(ch: Uint8Array): Float32Array {
  const out = new Float32Array(tile * tile);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[((y / f) | 0) * tile + ((x / f) | 0)] += ch[y * size + x];
  for (let i = 0; i < out.length; i++) out[i] /= f * f;
  return out;
}

const t0 = performance.now();
classes.forEach((c, i) => {
  const s = renderSample({ id: `gallery-${c}`, labels: [c], size, seed });
  const [r, g, b, y] = [s.red, s.green, s.blue, s.yellow].map(down);
  const ox = gap + (i % cols) * (cellW + gap);
  const oy = gap + Math.floor(i / cols) * (cellH + gap);
  drawText(rgb, W, ox, oy + 2, `${c} ${CLASS_NAMES[c]}`, [235, 235, 235], 2);
  for (let py = 0; py < tile; py++) {
    for (let px = 0; px < tile; px++) {
      const p = py * tile + px;
      const comp = [r[p] + y[p], g[p] + y[p], b[p]];
      const a = ((oy + labelH + py) * W + ox + px) * 3;
      for (let k = 0; k < 3; k++) rgb[a + k] = Math.min(255, comp[k]);
      const a2 = a + (tile + gap) * 3;
      rgb[a2] = rgb[a2 + 2] = 0;
      rgb[a2 + 1] = g[p];
    }
  }
});
const ms = performance.now() - t0;
const out = resolve(values.out);
writeFileSync(out, encode({ width: W, height: H, data: rgb, depth: 8, channels: 3 }));
const md = [
  '# Synthetic HPA-like classes',
  '',
  `\`docs/gallery.png\` (made by \`npx tsx scripts/gallery.ts\`): one synthetic sample per class, rendered at ${size} px with seed ${seed} and`,
  `shown at ${tile} px, carrying only that class. Left: composite (red → R, green → G, blue → B, yellow → R+G);`,
  'right: the green (protein) channel alone. Real samples usually carry one to three classes; green is the union of their patterns.',
  '',
  '| id | class | green pattern |',
  '|---|---|---|',
  ...Array.from({ length: NUM_CLASSES }, (_, c) => `| ${c} | ${CLASS_NAMES[c]} | ${PATTERN_DESCRIPTIONS[c]} |`),
  '',
  'Reference channels in every sample: blue = nuclei (textured, darker nucleoli), red = microtubules radiating from the',
  'centrosome, yellow = reticular ER, densest around the nucleus. They never depend on the labels.',
  '',
];
if (!values.classes) writeFileSync(resolve(dirname(out), 'gallery.md'), md.join('\n'));
console.log(`${out}: ${classes.length} classes at ${size} px in ${(ms / 1000).toFixed(1)} s`);
