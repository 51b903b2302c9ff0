/**
 * The decode worker in real Chromium decodes PNGs to the same pixels as PIL, by each way:
 * DecompressionStream + JS unfiltering, WebCodecs' ImageDecoder, and fast-png (fixtures and PIL's
 * values from fixtures/png/make_png_fixtures.py). The worker is the built one, spoken to through
 * its protocol message, as the decode pool does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const dir = new URL('../fixtures/png/', import.meta.url);
const pil = JSON.parse(readFileSync(new URL('pil-decoded.json', dir), 'utf8')) as Record<string, { mode: string; width: number; gray: number[] }>;
const workerUrl = `/assets/${readdirSync(new URL('../dist/assets/', import.meta.url)).find((f) => /^decode\.worker-.*\.js$/.test(f))}`;

type Answer = { type: 'decoded'; plane: number[]; converted: string | null; way: string } | { type: 'failed'; reason: string };

test('the decode worker gives PIL’s pixels by every way, and its skip reasons', async ({ page }) => {
  await page.goto('/');
  const files = Object.fromEntries(Object.keys(pil).map((name) => [name, [...readFileSync(new URL(name, dir))]]));
  // a truncated and a damaged HPA-like channel
  const whole = files['gray8-filter-mixed.png'];
  const damaged = [...whole];
  for (let i = 50; i < 70; i++) damaged[i] ^= 0x5a;
  files['cut.png'] = whole.slice(0, 60);
  files['damaged.png'] = damaged;

  const { imageDecoder, answers } = await page.evaluate(
    async ({ url, files }) => {
      const worker = new Worker(url, { type: 'module' });
      let seq = 0;
      const pending = new Map<number, (a: unknown) => void>();
      worker.onmessage = (e: MessageEvent<{ seq: number }>) => pending.get(e.data.seq)?.(e.data);
      const decode = (bytes: number[], decoder: string) =>
        new Promise<unknown>((resolve) => {
          pending.set(++seq, resolve);
          worker.postMessage({ type: 'decode', seq, name: 'x.png', bytes: new Uint8Array(bytes), resolution: 64, decoder: decoder || undefined });
        }).then((a) => {
          const m = a as { type: string; plane?: Uint8Array; converted?: string | null; way?: string; reason?: string };
          return m.type === 'decoded' ? { type: 'decoded', plane: [...m.plane!], converted: m.converted, way: m.way } : { type: 'failed', reason: m.reason };
        });
      const answers: Record<string, Record<string, unknown>> = { default: { paeth: await decode(files['gray8-filter-paeth.png'], '') } };
      for (const way of ['inflate', 'image-decoder', 'fast-png'])
        for (const [name, bytes] of Object.entries(files)) (answers[way] ??= {})[name] = await decode(bytes, way);
      worker.terminate();
      return { imageDecoder: typeof ImageDecoder !== 'undefined' && (await ImageDecoder.isTypeSupported('image/png')), answers };
    },
    { url: workerUrl, files },
  );
  expect(imageDecoder, 'Chromium offers ImageDecoder for PNG').toBe(true);
  // the default (pickPngDecoder, no way asked): the platform's zlib (docs/ingest.md says why)
  expect(answers.default.paeth).toEqual({ type: 'decoded', plane: pil['gray8-filter-paeth.png'].gray, converted: null, way: 'inflate' });
  for (const way of ['inflate', 'image-decoder', 'fast-png']) {
    const got = answers[way] as Record<string, Answer>;
    for (const [name, want] of Object.entries(pil)) {
      // the platform ways take plain 8-bit gray only, and must not have fallen back to fast-png there
      const platform = want.mode === 'L' && !name.includes('interlaced');
      expect(got[name], `${way}: ${name}`).toMatchObject({
        type: 'decoded',
        converted: want.mode === 'L' ? null : expect.stringMatching(/converted to 8-bit grayscale$/),
        way: platform ? way : 'fast-png',
      });
      expect((got[name] as { plane: number[] }).plane, `${way}: ${name}`).toEqual(want.gray);
    }
    expect(got['cut.png'], way).toEqual({
      type: 'failed',
      reason: expect.stringMatching(/^truncated PNG: the file ends before its image data is complete \(60 bytes\): its IDAT chunk lacks \d+ bytes$/),
    });
    expect(got['damaged.png'], way).toEqual({ type: 'failed', reason: 'corrupt PNG: its IDAT chunk fails its CRC check (the file was damaged)' });
  }
});
