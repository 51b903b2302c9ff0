/**
 * Where the official ImageNet weights of each backbone are published (Keras Applications, without
 * the classifier top) and a download of one that reports progress and can be cancelled. No tfjs:
 * the page shows the address and size from here before the user presses download.
 *
 * The addresses are the ones Keras's own applications download from (keras/applications/vgg16.py,
 * resnet.py, inception_v3.py, mobilenet_v2.py). The sizes are the byte counts Keras's downloader
 * prints for these files ("58889256/58889256 … 0us/step"), as quoted in public notebooks and docs.
 */

export interface WeightSource {
  backbone: 'vgg16' | 'resnet50' | 'inceptionv3' | 'mobilenetv2';
  url: string;
  fileName: string;
  /** the published file's size in bytes */
  bytes: number;
  /** whether that size was confirmed from a download log (an unconfirmed one is approximate) */
  sizeConfirmed: boolean;
  /** what the file's layer names are (for the report) */
  note: string;
}

const BASE = 'https://storage.googleapis.com/tensorflow/keras-applications';

export const WEIGHT_SOURCES: Record<WeightSource['backbone'], WeightSource> = {
  vgg16: {
    backbone: 'vgg16',
    url: `${BASE}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileName: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    bytes: 58_889_256,
    sizeConfirmed: true,
    note: 'Keras 2 names (block1_conv1 … block5_conv3)',
  },
  resnet50: {
    backbone: 'resnet50',
    url: `${BASE}/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    bytes: 94_765_736,
    sizeConfirmed: true,
    note: "tf.keras's ResNet50 names (conv1_conv, conv2_block1_1_conv, …)",
  },
  inceptionv3: {
    backbone: 'inceptionv3',
    url: `${BASE}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileName: 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    bytes: 87_910_968,
    sizeConfirmed: true,
    note: 'automatic Keras 2.0 names (conv2d_1 … conv2d_94, batch_normalization_1 …, mixed0 … mixed10)',
  },
  mobilenetv2: {
    backbone: 'mobilenetv2',
    url: `${BASE}/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
    fileName: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5',
    bytes: 9_406_464,
    sizeConfirmed: true,
    note: 'alpha 1.0, 224 px (Conv1, expanded_conv_*, block_1 … block_16, Conv_1)',
  },
};

export function weightSource(backbone: string): WeightSource | undefined {
  return (WEIGHT_SOURCES as Record<string, WeightSource>)[backbone];
}

/** "58.9 MB" (decimal megabytes, as a download dialog shows them). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

export interface DownloadProgress {
  received: number;
  /** from Content-Length, else the expected size; null when neither is known */
  total: number | null;
}

export interface DownloadOptions {
  /** the size the page showed; a finished download of another size is an error */
  expectedBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** the fetch to use (tests pass a stand-in) */
  fetch?: typeof fetch;
}

/** Why a download ended without the file; `kind` lets the page choose its words and buttons. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    message: string,
    readonly kind: 'cancelled' | 'refused' | 'http' | 'size',
  ) {
    super(message);
  }
}

function isAbort(e: unknown): boolean {
  return (e as { name?: string })?.name === 'AbortError';
}

/**
 * Fetches `url` whole, reporting progress as bytes arrive. Cancelling through `signal` rejects with
 * a DownloadError of kind 'cancelled'. A request the browser blocks (the server sends no CORS
 * permission) or a network that cannot reach the server rejects with kind 'refused' and a message
 * telling the user to download the file themselves and drop it.
 */
export async function downloadWeights(url: string, o: DownloadOptions = {}): Promise<Uint8Array> {
  const doFetch = o.fetch ?? fetch;
  const fileName = url.replace(/[?#].*$/, '').replace(/^.*\//, '');
  const cancelled = () => new DownloadError(`the download of ${fileName} was cancelled`, 'cancelled');
  let res: Response;
  try {
    res = await doFetch(url, { signal: o.signal, mode: 'cors', credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if (isAbort(e) || o.signal?.aborted) throw cancelled();
    throw new DownloadError(
      `the browser could not download ${url}: the server does not allow downloads from other web pages (CORS) or cannot be reached (${(e as Error).message}). ` +
        `Download the file yourself from that address${o.expectedBytes ? ` (${formatBytes(o.expectedBytes)})` : ''} and drop it here.`,
      'refused',
    );
  }
  if (!res.ok) throw new DownloadError(`${url} answered ${res.status} ${res.statusText}; download it yourself from that address and drop it here`, 'http');
  const header = Number(res.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : (o.expectedBytes ?? null);
  const chunks: Uint8Array[] = [];
  let received = 0;
  o.onProgress?.({ received, total });
  try {
    if (!res.body) {
      const all = new Uint8Array(await res.arrayBuffer());
      chunks.push(all);
      received = all.length;
    } else {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        o.onProgress?.({ received, total });
      }
    }
  } catch (e) {
    if (isAbort(e) || o.signal?.aborted) throw cancelled();
    throw new DownloadError(
      `the download of ${url} broke off after ${formatBytes(received)} (${(e as Error).message}); try again, or download it yourself and drop it here`,
      'http',
    );
  }
  if (o.expectedBytes !== undefined && received !== o.expectedBytes)
    throw new DownloadError(`${fileName} arrived with ${received} bytes, but the published file has ${o.expectedBytes}; nothing was stored`, 'size');
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
