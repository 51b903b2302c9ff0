/**
 * Writes docs/gallery.png (and docs/gallery.md): one synthetic sample per class, each carrying only
 * that class, as its composite (red → R, green → G, blue → B, yellow → R+G) beside its green channel.
 * With --teaching, docs/teaching-gallery.png: the teaching demo's images (src/synth/teachingDemo.ts)
 * at the 64 px they are trained at, enlarged 2×.
 *
 *   npx tsx scripts/gallery.ts [--size 512] [--tile 256] [--seed 7] [--out docs/gallery.png]
 *   npx tsx scripts/gallery.ts --teaching [--size 64] [--tile 128] [--out docs/teaching-gallery.png]
 *
 * Samples are rendered at --size and box-downsampled (or, when --tile is a multiple of --size,
 * enlarged pixel for pixel) to --tile for display.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { CLASS_NAMES, NUM_CLASSES } from '../src/core/labels';
import { PATTERN_DESCRIPTIONS } from '../src/synth/classPatterns';
import { renderSample } from '../src/synth/index';
import { TEACHING_LAYOUT } from '../src/synth/renderSample';
import { drawText, GLYPH_H } from './bitmapFont';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '512' },
    tile: { type: 'string', default: '256' },
    seed: { type: 'string', default: '7' },
    cols: { type: 'string', default: '4' },
    out: { type: 'string' },
    classes: { type: 'string' },
    teaching: { type: 'boolean', default: false },
  },
});
const teaching = values.teaching;
const size = Number(teaching && values.size === '512' ? '64' : values.size);
const tile = Number(teaching && values.tile === '256' ? '128' : values.tile);
const seed = Number(values.seed);
const cols = Number(values.cols);
const classes = values.classes ? values.classes.split(',').map(Number) : Array.from({ length: NUM_CLASSES }, (_, c) => c);
if (size % tile !== 0 && tile % size !== 0) throw new Error(`--size ${size} and --tile ${tile}: one must be a multiple of the other`);
const f = size / tile;
const up = tile / size;

const gap = 6;
const textScale = tile >= 200 ? 2 : 1;
const labelH = GLYPH_H * textScale + 6;
const cellW = 2 * tile + gap;
const cellH = tile + labelH;
const rows = Math.ceil(classes.length / cols);
const W = cols * cellW + (cols + 1) * gap;
const H = rows * cellH + (rows + 1) * gap;
const rgb = new Uint8Array(W * H * 3).fill(24);

/** Box-downsamples one channel by f, or enlarges it pixel for pixel. */
function down(ch: Uint8Array): Float32Array {
  const out = new Float32Array(tile * tile);
  if (up > 1) {
    for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) out[y * tile + x] = ch[((y / up) | 0) * size + ((x / up) | 0)];
    return out;
  }
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[((y / f) | 0) * tile + ((x / f) | 0)] += ch[y * size + x];
  for (let i = 0; i < out.length; i++) out[i] /= f * f;
  return out;
}

const t0 = performance.now();
classes.forEach((c, i) => {
  const s = renderSample({ id: `gallery-${c}`, labels: [c], size, seed, teaching });
  const [r, g, b, y] = [s.red, s.green, s.blue, s.yellow].map(down);
  const ox = gap + (i % cols) * (cellW + gap);
  const oy = gap + Math.floor(i / cols) * (cellH + gap);
  drawText(rgb, W, ox, oy + 2, `${c} ${CLASS_NAMES[c]}`, [235, 235, 235], textScale);
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
const out = resolve(values.out ?? resolve(root, teaching ? 'docs/teaching-gallery.png' : 'docs/gallery.png'));
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
  '## Teaching mode',
  '',
  "The teaching demo ([teaching-demo.md](teaching-demo.md), `make-dataset --teaching`, the studio's *teaching* demo choice)",
  'draws the same 28 patterns on cleaner images, so that a small model learns every class within minutes at 64 px:',
  '',
  `- a close-up: ${TEACHING_LAYOUT.zoom}× closer than the realistic images, ${TEACHING_LAYOUT.cells[0]}–${TEACHING_LAYOUT.cells[1]} cells placed instead of 3–16, so cells and every pattern's features`,
  '  are larger in the frame;',
  '- every labelled pattern at full strength in every cell (no per-label or per-cell expression spread, no haze), with the',
  '  two diffuse fills (nucleoplasm, cytosol) at half strength so that dots and lines over them stay clear;',
  '- one sharp focus, fixed channel gains and little camera noise;',
  "- centrosome (19): its two dots 4.5–6 design px from the centre instead of 1.5–3, and the organizing centre's (18) one",
  '  dot wider, so that one dot and two differ at 64 px.',
  '',
  'The label sets change too: every class in at least 60 train samples (rare real label sets drawn more often).',
  'The realistic images are unchanged, byte for byte.',
  '',
  '![The teaching demo: one sample per class at 64 px, enlarged 2×](teaching-gallery.png)',
  '',
];
if (!values.classes && !teaching) writeFileSync(resolve(dirname(out), 'gallery.md'), md.join('\n'));
console.log(`${out}: ${classes.length} classes at ${size} px in ${(ms / 1000).toFixed(1)} s`);
