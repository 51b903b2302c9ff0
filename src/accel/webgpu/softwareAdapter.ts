/**
 * Whether a WebGPU adapter is a software one (SwiftShader, or any the browser marks as a fallback):
 * there the studio keeps kernels that a GPU would run faster another way (./chunkSum.ts). Used by
 * the backend's adapter probe (src/worker/backend.ts) and the GPU kit.
 */
export interface AdapterDescription {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** `flag`: the adapter's own isFallbackAdapter (older browsers put it there instead of in info). */
export function isSoftwareAdapter(info: AdapterDescription, flag?: boolean): boolean {
  return Boolean(info.isFallbackAdapter ?? flag ?? /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`));
}
