import { describe, expect, it } from 'vitest';
import { DownloadError, downloadWeights, formatBytes, WEIGHT_SOURCES } from './sources';

/** A server that sends `bytes` in chunks of `chunk`, as fetch's Response streams them. */
function serve(bytes: Uint8Array, chunk: number, seen: string[] = []): typeof fetch {
  return (async (url: string, init?: RequestInit) => {
    seen.push(url);
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (init?.signal?.aborted) return c.error(new DOMException('aborted', 'AbortError'));
        if (at >= bytes.length) return c.close();
        c.enqueue(bytes.slice(at, (at += chunk)));
      },
    });
    return new Response(body, { headers: { 'content-length': String(bytes.length) } });
  }) as typeof fetch;
}

describe('official weight sources', () => {
  it("each backbone's address is Keras Applications' notop file, with its published size", () => {
    for (const s of Object.values(WEIGHT_SOURCES)) {
      expect(s.url).toMatch(/^https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/[a-z0-9_]+\/[\w.]+\.h5$/);
      expect(s.url.endsWith(`/${s.fileName}`)).toBe(true);
      expect(s.fileName).toMatch(/notop|no_top/);
    }
    expect(WEIGHT_SOURCES.vgg16.bytes).toBe(58_889_256);
    expect(formatBytes(WEIGHT_SOURCES.resnet50.bytes)).toBe('94.8 MB');
  });
});

describe('downloadWeights', () => {
  const file = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

  it('fetches the one address, reports progress and returns the bytes', async () => {
    const seen: string[] = [];
    const progress: number[] = [];
    const got = await downloadWeights('https://example.test/w/x_notop.h5', {
      fetch: serve(file, 300, seen),
      expectedBytes: 1000,
      onProgress: (p) => progress.push(p.received),
    });
    expect(got).toEqual(file);
    expect(seen).toEqual(['https://example.test/w/x_notop.h5']);
    expect(progress).toEqual([0, 300, 600, 900, 1000]);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    const p = downloadWeights('https://example.test/x.h5', { fetch: serve(file, 100), signal: ac.signal, onProgress: (q) => q.received >= 200 && ac.abort() });
    await expect(p).rejects.toMatchObject({ kind: 'cancelled', message: 'the download of x.h5 was cancelled' });
  });

  it('tells the user to fetch the file themselves when the browser refuses the request (CORS)', async () => {
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const e = await downloadWeights(WEIGHT_SOURCES.mobilenetv2.url, { fetch: refused, expectedBytes: WEIGHT_SOURCES.mobilenetv2.bytes }).catch(
      (x: DownloadError) => x,
    );
    expect(e).toBeInstanceOf(DownloadError);
    expect((e as DownloadError).kind).toBe('refused');
    expect((e as Error).message).toContain(WEIGHT_SOURCES.mobilenetv2.url);
    expect((e as Error).message).toMatch(/CORS.*Download the file yourself from that address \(9\.4 MB\) and drop it here/);
  });

  it('refuses a file whose size is not the published one', async () => {
    await expect(downloadWeights('https://example.test/x.h5', { fetch: serve(file, 500), expectedBytes: 999 })).rejects.toMatchObject({ kind: 'size' });
  });
});
