/**
 * Keras weights in HDF5 (the `*_weights_tf_dim_ordering_tf_kernels_notop.h5` files of Keras
 * Applications, `model.save_weights('x.h5')`, and the `model_weights` group of `model.save('x.h5')`),
 * read with jsfive (pure JS; chosen over h5wasm in docs/transfer-weights.md).
 *
 * The layout is Keras's legacy saver's: the root (or `model_weights`) has attribute `layer_names`
 * (every layer, weightless ones too, in model order) plus `backend` and `keras_version`; each layer
 * has a group with attribute `weight_names` (trainable weights first, then non-trainable), and each
 * weight is a dataset at <layer>/<weight name>, the name being 'block1_conv1/kernel:0' (Keras 2),
 * 'block1_conv1/kernel' (Keras 3) or 'block1_conv1_W_1:0' (the oldest published files). String
 * attributes are variable-length (h5py 3) or fixed-length null-padded (h5py 2, as in the published
 * ImageNet files); an attribute too big for an object header is split into name0, name1, ...
 */
import { Dataset, File, Group } from 'jsfive';
import { countValues, shortWeightName, type NamedWeight } from './namedWeight';

export interface KerasWeights {
  weights: NamedWeight[];
  /** every layer of the file in model order (weightless layers too) */
  layerNames: string[];
  kerasVersion?: string;
  backend?: string;
}

/** A weights file that cannot be read; the message names the file and what is wrong. */
export class WeightsFileError extends Error {
  override name = 'WeightsFileError';
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** A string attribute value as text: fixed-length ones come back with their null padding. */
function text(v: unknown): string {
  if (v instanceof Uint8Array) v = new TextDecoder().decode(v);
  return String(v).replace(/\0+$/, '');
}

/** A list-of-strings attribute (possibly split into name0, name1, ...); an empty list is stored as an empty float64 array. */
function stringList(attrs: Record<string, unknown>, name: string): string[] | null {
  const one = (v: unknown): string[] => {
    if (typeof v === 'string' || v instanceof Uint8Array) return [text(v)];
    if (v && typeof v === 'object' && 'length' in v) return Array.from(v as ArrayLike<unknown>, text);
    throw new Error(`attribute '${name}' is ${typeof v}, not a list of strings`);
  };
  if (name in attrs) return one(attrs[name]);
  if (!(`${name}0` in attrs)) return null;
  const all: string[] = [];
  for (let i = 0; `${name}${i}` in attrs; i++) all.push(...one(attrs[`${name}${i}`]));
  return all;
}

function child(g: Group, path: string): Group | Dataset | null {
  try {
    return g.get(path);
  } catch {
    return null;
  }
}

function toFloat32(d: Dataset, where: string): Float32Array {
  const dtype = typeof d.dtype === 'string' ? d.dtype : JSON.stringify(d.dtype);
  if (!/^[<>|=]?f[248]$/.test(dtype)) throw new Error(`${where} has dtype ${dtype}; weights must be floating point`);
  const v = d.value;
  return v instanceof Float32Array ? v : Float32Array.from(v);
}

/**
 * Every weight of a Keras HDF5 weights file, in the file's layer order and each layer's weight
 * order. `file` names the file in error messages.
 */
export async function readKerasH5(bytes: ArrayBuffer | Uint8Array, file = 'the weights file'): Promise<KerasWeights> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const fail = (m: string) => new WeightsFileError(`${file}: ${m}`);
  if (!isHdf5(u8)) throw fail('not an HDF5 file (it does not start with the HDF5 signature); expected a Keras .h5 weights file');
  // jsfive takes a whole ArrayBuffer; a view into a bigger one is copied (not Buffer#slice, which shares)
  const buffer = u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? (u8.buffer as ArrayBuffer) : new Uint8Array(u8).buffer;

  let root: Group;
  try {
    root = new File(buffer, file);
  } catch (e) {
    throw fail(`the HDF5 structure cannot be read (${errorText(e)}); the file may be truncated or damaged`);
  }
  // a full-model save keeps the weights in 'model_weights' and the model's config at the root
  let top = root;
  let where = '/';
  if (!('layer_names' in root.attrs || 'layer_names0' in root.attrs)) {
    const mw = child(root, 'model_weights');
    if (mw instanceof Group && ('layer_names' in mw.attrs || 'layer_names0' in mw.attrs)) {
      top = mw;
      where = '/model_weights';
    } else if (child(root, 'layers') instanceof Group || child(root, '_layer_checkpoint_dependencies') instanceof Group) {
      throw fail(
        "this is a Keras 3 '.weights.h5' file (weights under 'layers/…/vars'), not the legacy layout; in Keras 3 save with keras.saving.legacy_h5_format or use the Keras Applications file",
      );
    } else {
      throw fail("an HDF5 file but not Keras weights: no attribute 'layer_names' at its root or in 'model_weights'");
    }
  }

  try {
    const layerNames = stringList(top.attrs, 'layer_names') ?? [];
    const weights: NamedWeight[] = [];
    for (const layer of layerNames) {
      const g = child(top, layer);
      if (!(g instanceof Group)) throw fail(`layer '${layer}' is listed in ${where} attribute 'layer_names' but the file has no group ${join(where, layer)}`);
      const names = stringList(g.attrs, 'weight_names');
      if (names === null) throw fail(`layer group ${join(where, layer)} has no attribute 'weight_names'`);
      for (const name of names) {
        const path = join(where, layer, name);
        const d = child(g, name);
        if (!(d instanceof Dataset)) throw fail(`layer '${layer}' lists weight '${name}' in 'weight_names' but the file has no dataset ${path}`);
        let data: Float32Array;
        try {
          data = toFloat32(d, path);
        } catch (e) {
          throw fail(
            e instanceof Error && e.message.startsWith(path) ? e.message : `dataset ${path} cannot be read (${errorText(e)}); the file may be truncated`,
          );
        }
        const shape = [...d.shape];
        if (data.length !== countValues(shape)) throw fail(`dataset ${path} has ${data.length} values for shape [${shape.join(', ')}]`);
        weights.push({ layer, weight: shortWeightName(name), shape, data });
      }
    }
    const scalar = (n: string) => (n in top.attrs ? text(top.attrs[n]) : n in root.attrs ? text(root.attrs[n]) : undefined);
    return { weights, layerNames, kerasVersion: scalar('keras_version'), backend: scalar('backend') };
  } catch (e) {
    if (e instanceof WeightsFileError) throw e;
    throw fail(`cannot be read (${errorText(e)}); the file may be truncated or damaged`);
  }
}

function join(...parts: string[]): string {
  return ('/' + parts.join('/')).replace(/\/+/g, '/');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
