/** The 28 HPA protein-localisation classes, their real training counts and display colours. */

export const NUM_CLASSES = 28;

export const CLASS_NAMES: readonly string[] = [
  'Nucleoplasm',
  'Nuclear membrane',
  'Nucleoli',
  'Nucleoli fibrillar center',
  'Nuclear speckles',
  'Nuclear bodies',
  'Endoplasmic reticulum',
  'Golgi apparatus',
  'Peroxisomes',
  'Endosomes',
  'Lysosomes',
  'Intermediate filaments',
  'Actin filaments',
  'Focal adhesion sites',
  'Microtubules',
  'Microtubule ends',
  'Cytokinetic bridge',
  'Mitotic spindle',
  'Microtubule organizing center',
  'Centrosome',
  'Lipid droplets',
  'Plasma membrane',
  'Cell junctions',
  'Mitochondria',
  'Aggresome',
  'Cytosol',
  'Cytoplasmic bodies',
  'Rods & rings',
];

/** Images per class in the real competition train.csv (31,072 images, 50,782 labels). */
export const TRAIN_COUNTS: readonly number[] = [
  12885, 1254, 3621, 1561, 1858, 2513, 1008, 2822, 53, 45, 28, 1093, 688, 537, 1066, 21, 530, 210, 902, 1482, 172, 3777, 802, 2965, 322, 8228, 328, 11,
];

export const TRAIN_IMAGES = 31072;
export const TRAIN_LABELS = 50782;

/** Prevalence below 0.5 %: the classes the literature calls rare. */
export const RARE_CLASSES: readonly number[] = [8, 9, 10, 15, 27];

/** One distinct colour per class (for charts and label chips). */
export const CLASS_COLORS: readonly string[] = Array.from({ length: NUM_CLASSES }, (_, c) => {
  const hue = Math.round((c * 360 * 0.618034) % 360);
  return `hsl(${hue} 65% ${c % 2 ? 42 : 52}%)`;
});

/** WCAG relative luminance of an sRGB colour given as 0..1 channels. */
function luminance([r, g, b]: number[]): number {
  const lin = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function hslToRgb(h: number, s: number, l: number): number[] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  return [0, 8, 4].map((n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1))));
}

/** WCAG contrast ratio between two luminances. */
export function contrastRatio(l1: number, l2: number): number {
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

/** Each class colour's luminance (for choosing readable text on it). */
export const CLASS_LUMINANCE: readonly number[] = CLASS_COLORS.map((c) => {
  const [h, s, l] = c.match(/[\d.]+/g)!.map(Number);
  return luminance(hslToRgb(h, s / 100, l / 100));
});

/** Text on a class colour: white or black, whichever reads better (one of the two always reaches 4.58:1). */
export const CLASS_TEXT_COLORS: readonly string[] = CLASS_LUMINANCE.map((l) => (contrastRatio(l, 1) >= contrastRatio(l, 0) ? '#fff' : '#000'));

export function isClassId(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < NUM_CLASSES;
}

export function className(c: number): string {
  return CLASS_NAMES[c] ?? `class ${c}`;
}
