/// <reference types="@webgpu/types" />
/**
 * A training step recorded once and replayed: the GPU commands of a step, without tfjs building them again.
 *
 * On a fast GPU the studio's step waits for JavaScript, not for the GPU: on an H200 a GapNet-PL
 * 256 px batch-32 step kept the GPU busy 9 ms and took 14–15 ms of JavaScript to build and encode
 * (bench/results/gpu-h200-summary.md). About 2.5 ms of that is WebGPU calls; the rest is
 * tfjs's engine: the tape, the gradient functions, kernel lookup, shader keys, uniform layouts,
 * tensor bookkeeping — the same work every step, for the same shapes.
 *
 * Here a step runs through tfjs as usual while its WebGPU calls are recorded: every
 * `queue.writeBuffer` (values and uniforms, with a copy of their bytes), every dispatch (pipeline,
 * bind group, workgroups) and every submit, in order. Two consecutive steps are recorded and compared.
 * When they match, later steps replay the second one: the same writes, dispatches and submits in
 * the same order, on the same buffers, with the bytes that change from step to step (the batch,
 * its labels and crop tables, dropout noise, Adam's bias corrections) supplied anew. A replayed
 * step costs one `dispatchWorkgroups` per kernel and a `writeBuffer` per value that changes or
 * whose buffer the step reuses, and nothing of tfjs. A StepReplayer is a step runner
 * (src/core/train/stepRunner.ts): the trainer's steps, validation batches and predict() batches go
 * through one where the code that sets up the run passes it (../training.ts).
 *
 * What makes a replay the same computation:
 *  - Every write whose bytes differ between the two recorded steps must be claimed by the code that
 *    made them (`claimUpload`, `claimUniform`) with a way to make the next step's bytes; a write that
 *    changes unclaimed stops the replay (it would repeat stale values). Claims sit at the same place
 *    in both steps.
 *  - Buffers that existed before a step (weights, Adam's moments, cached constants) must be the very
 *    same buffers at the same places in both steps: state updated in place. The one exception is a
 *    variable reassigned every step (BatchNorm's moving averages): the first step read its old
 *    buffer and made the new one, which the second step reads; that value is copied, before every
 *    replay, from the buffer the replayed step writes it to into the one it reads it from.
 *  - Buffers the step itself took from tfjs's pool keep their roles: the pattern of which later
 *    binding reuses which earlier buffer must be the same in both steps.
 *  - Only writes, compute dispatches and submits: a copy, a clear, a timestamp or a read-back inside
 *    the step stops the replay.
 * The replayed step's buffers are taken out of tfjs's pool for as long as the replay lives, so no
 * tensor made between steps (validation, a checkpoint) can be handed one; a buffer that a tensor
 * still held after the step (a weight, a moment, a reassigned variable's value) released by that
 * tensor (the model disposed, weights assigned anew, a step through tfjs moving BatchNorm's
 * averages) ends the replay, and the next steps record again. ./replayCheck.ts checks the
 * whole at backend start: trained, validated and predicted with and without replay, bit for bit.
 *
 * Everything here uses tfjs-backend-webgpu 4.22's internals as ./directDispatch.ts does.
 */
import * as tf from '@tensorflow/tfjs';
import { setClaimUpload, type NextBytes as Next, type StepFeeds, type StepResult, type StepRunner, type StepRunnerStatus } from '../../core/train/stepRunner';
import { accelFlag, STEP_REPLAY_FLAG } from '../flags';

interface BufferManager {
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
  releaseBuffer(buffer: GPUBuffer, reuse?: boolean): void;
  freeBuffers: Map<string, GPUBuffer[]>;
  usedBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numUsedBuffers: number;
  numBytesUsed: number;
}

/** The parts of tfjs-backend-webgpu 4.22's backend used here. */
interface Backend {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  bufferManager: BufferManager;
  tensorMap: { get(id: object): { resource: unknown } | undefined };
  activeTimers: unknown[] | null;
  uploadToGPU(id: object): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

type Binding = { buffer: GPUBuffer; offset: number; size: number };
type Event =
  | { kind: 'write'; buffer: GPUBuffer; offset: number; data: Uint8Array; next?: Next; claim?: string }
  | { kind: 'dispatch'; pipeline: GPUComputePipeline; group: GPUBindGroup; x: number; y: number; z: number }
  | { kind: 'submit' };

/** The webgpu backend with what recording needs, or null (another backend, or tfjs timing kernels). */
function webgpuBackend(): Backend | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const be = tf.backend() as unknown as Backend;
  const bm = be.bufferManager;
  const ok =
    be.device?.queue !== undefined &&
    typeof be.endComputePassEncoder === 'function' &&
    typeof be.submitQueue === 'function' &&
    typeof be.uploadToGPU === 'function' &&
    typeof bm?.acquireBuffer === 'function' &&
    typeof bm.releaseBuffer === 'function' &&
    bm.freeBuffers instanceof Map &&
    bm.usedBuffers instanceof Map;
  return ok && be.activeTimers == null ? be : null;
}

/** Submits whatever tfjs has encoded, so the GPU's order is the order of the calls that follow. */
function flush(be: Backend): void {
  be.endComputePassEncoder();
  if (be.commandEncoder) be.submitQueue();
}

const bufferKey = (b: GPUBuffer) => `${b.size}_${b.usage}`;

/** One step's WebGPU calls, as tfjs made them. */
class Recording {
  readonly events: Event[] = [];
  /** buffers tfjs took from its pool (or made) during the step, with the event count at the first take */
  readonly acquiredAt = new Map<GPUBuffer, number>();
  readonly groups = new Map<GPUBindGroup, Binding[]>();
  readonly replayHooks: Array<() => void> = [];
  readonly replayGuards: Array<() => string | null> = [];
  problem: string | null = null;

  fail(why: string): void {
    this.problem ??= why;
  }

  /** The last write into `buffer` (at `offset`, if given). */
  lastWrite(buffer: GPUBuffer, offset?: number): Extract<Event, { kind: 'write' }> | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.kind === 'write' && e.buffer === buffer && (offset === undefined || e.offset === offset)) return e;
    }
    return undefined;
  }

  /** Every buffer the step wrote or bound. */
  buffers(): Set<GPUBuffer> {
    const all = new Set<GPUBuffer>();
    for (const e of this.events) {
      if (e.kind === 'write') all.add(e.buffer);
      else if (e.kind === 'dispatch') for (const b of this.groups.get(e.group) ?? []) all.add(b.buffer);
    }
    return all;
  }

  /**
   * The step as a sequence of comparable tokens: a buffer the step took before it appears is named by
   * its first appearance, a buffer from before the step by itself.
   */
  canonical(names = new Map<GPUBuffer, string>()): Array<string | GPUBuffer | GPUComputePipeline> {
    const out: Array<string | GPUBuffer | GPUComputePipeline> = [];
    const name = (b: GPUBuffer, at: number): string | GPUBuffer => {
      const taken = this.acquiredAt.get(b);
      if (taken === undefined || taken > at) return b;
      let n = names.get(b);
      if (n === undefined) names.set(b, (n = `#${names.size}:${bufferKey(b)}`));
      return n;
    };
    this.events.forEach((e, i) => {
      if (e.kind === 'submit') out.push('submit');
      else if (e.kind === 'write') out.push(`write@${e.offset}+${e.data.byteLength}${e.claim ? ` claim ${e.claim}` : ''}`, name(e.buffer, i));
      else {
        out.push(`dispatch ${e.x},${e.y},${e.z}`, e.pipeline);
        for (const b of this.groups.get(e.group) ?? []) out.push(`@${b.offset}+${b.size}`, name(b.buffer, i));
      }
    });
    return out;
  }
}

let recording: Recording | null = null;
let recordingBackend: Backend | null = null;

/**
 * Claims the upload of tensor `t` as a per-step value: a replay writes `next(feeds)` in its place.
 * Uploads the tensor now if it is still on the CPU. What core's claimUpload does while a step is
 * being recorded (src/core/train/stepRunner.ts).
 */
function claimRecordedUpload(t: tf.TensorInfo, name: string, next: Next): void {
  const rec = recording;
  const be = recordingBackend;
  if (!rec || !be) return;
  be.uploadToGPU(t.dataId);
  const resource = be.tensorMap.get(t.dataId)?.resource;
  const write = resource instanceof GPUBuffer ? rec.lastWrite(resource) : undefined;
  if (!write) return rec.fail(`the per-step value '${name}' did not reach the GPU by a write inside the step`);
  write.next = next;
  write.claim = name;
}

/** Claims the write of uniforms `u` (just made) as per-step: a replay writes `next(feeds)` there. */
export function claimUniform(u: GPUBufferBinding, name: string, next: Next): void {
  const rec = recording;
  if (!rec) return;
  const write = rec.lastWrite(u.buffer, u.offset ?? 0);
  if (!write) return rec.fail(`the per-step uniforms '${name}' were not written inside the step`);
  write.next = next;
  write.claim = name;
}

/** Runs `hook` at the start of every replay of the step being recorded (state a real step advances: Adam's step count). */
export function onStepReplay(hook: () => void): void {
  recording?.replayHooks.push(hook);
}

/**
 * Asks `guard` before every replay of the step being recorded: a reason not to replay (the step then
 * runs through tfjs and records again), or null. It may also do what a tfjs step would do to the
 * tensors the replay writes (drop their CPU copies); it must not advance any state.
 */
export function guardStepReplay(guard: () => string | null): void {
  recording?.replayGuards.push(guard);
}

type Restore = () => void;

/** Overrides `obj[key]` on the instance; the returned function puts back what was there. */
function override<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): Restore {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  (obj as Record<K, T[K]>)[key] = value;
  return () => {
    if (own) Object.defineProperty(obj, key, own);
    else delete (obj as Partial<T>)[key];
  };
}

/** Records the WebGPU calls `step` makes through `be` (which must have nothing pending). */
function record<T>(be: Backend, step: () => T): { rec: Recording; result: T } {
  const rec = new Recording();
  const device = be.device;
  const queue = device.queue;
  const bm = be.bufferManager;
  const finished = new WeakSet<GPUCommandBuffer>();
  const restores: Restore[] = [];
  const acquire = bm.acquireBuffer;
  restores.push(
    override(bm, 'acquireBuffer', function (this: BufferManager, ...args: Parameters<BufferManager['acquireBuffer']>) {
      const b = acquire.apply(this, args);
      if (!rec.acquiredAt.has(b)) rec.acquiredAt.set(b, rec.events.length);
      return b;
    }),
  );
  const createBindGroup = device.createBindGroup;
  restores.push(
    override(device, 'createBindGroup', function (this: GPUDevice, desc: GPUBindGroupDescriptor) {
      const g = createBindGroup.call(this, desc);
      const bindings: Binding[] = [];
      for (const entry of desc.entries) {
        const r = entry.resource as GPUBufferBinding | GPUBuffer;
        const buffer = r instanceof GPUBuffer ? r : r.buffer;
        if (!(buffer instanceof GPUBuffer)) rec.fail('a bind group holds something other than buffers');
        else
          bindings[entry.binding] = {
            buffer,
            offset: r instanceof GPUBuffer ? 0 : (r.offset ?? 0),
            size: r instanceof GPUBuffer ? buffer.size : (r.size ?? buffer.size),
          };
      }
      rec.groups.set(g, bindings);
      return g;
    }),
  );
  const writeBuffer = queue.writeBuffer;
  restores.push(
    override(queue, 'writeBuffer', function (
      this: GPUQueue,
      buffer: GPUBuffer,
      offset: number,
      data: BufferSource | SharedArrayBuffer,
      dataOffset?: number,
      size?: number,
    ) {
      const isView = ArrayBuffer.isView(data);
      const unit = isView && 'BYTES_PER_ELEMENT' in data ? (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 1;
      const base = isView ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data as ArrayBuffer);
      const from = (dataOffset ?? 0) * unit;
      const bytes = base.slice(from, size === undefined ? undefined : from + size * unit);
      rec.events.push({ kind: 'write', buffer, offset, data: bytes });
      return (writeBuffer as (...a: unknown[]) => void).call(this, buffer, offset, data, dataOffset, size);
    } as GPUQueue['writeBuffer']),
  );
  const submit = queue.submit;
  restores.push(
    override(queue, 'submit', function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>) {
      const list = [...buffers];
      if (list.some((b) => !finished.has(b))) rec.fail('work was submitted that was encoded before the step');
      rec.events.push({ kind: 'submit' });
      return submit.call(this, list);
    }),
  );
  const createCommandEncoder = device.createCommandEncoder;
  restores.push(
    override(device, 'createCommandEncoder', function (this: GPUDevice, desc?: GPUCommandEncoderDescriptor) {
      const enc = createCommandEncoder.call(this, desc);
      const begin = enc.beginComputePass;
      enc.beginComputePass = function (this: GPUCommandEncoder, d?: GPUComputePassDescriptor) {
        if (d?.timestampWrites) rec.fail('kernels are being timed');
        const pass = begin.call(this, d);
        let pipeline: GPUComputePipeline | null = null;
        let group: GPUBindGroup | null = null;
        const setPipeline = pass.setPipeline;
        pass.setPipeline = function (this: GPUComputePassEncoder, p: GPUComputePipeline) {
          pipeline = p;
          return setPipeline.call(this, p);
        };
        const setBindGroup = pass.setBindGroup as (...a: unknown[]) => void;
        pass.setBindGroup = function (this: GPUComputePassEncoder, index: number, g: GPUBindGroup | null, ...rest: unknown[]) {
          if (index !== 0 || rest.length > 0 || !g) rec.fail('a bind group other than group 0 without dynamic offsets');
          group = g;
          return setBindGroup.call(this, index, g, ...rest);
        } as GPUComputePassEncoder['setBindGroup'];
        const dispatch = pass.dispatchWorkgroups;
        pass.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y?: number, z?: number) {
          if (!pipeline || !group || !rec.groups.has(group)) rec.fail('a dispatch whose pipeline or bind group was made before the step');
          else rec.events.push({ kind: 'dispatch', pipeline, group, x, y: y ?? 1, z: z ?? 1 });
          return dispatch.call(this, x, y, z);
        };
        pass.dispatchWorkgroupsIndirect = function () {
          rec.fail('an indirect dispatch');
          throw new Error('step recording: indirect dispatches are not recorded');
        };
        return pass;
      };
      for (const op of [
        'copyBufferToBuffer',
        'copyBufferToTexture',
        'copyTextureToBuffer',
        'copyTextureToTexture',
        'clearBuffer',
        'resolveQuerySet',
        'beginRenderPass',
      ] as const) {
        const original = (enc as unknown as Record<string, (...a: unknown[]) => unknown>)[op];
        if (typeof original !== 'function') continue;
        (enc as unknown as Record<string, (...a: unknown[]) => unknown>)[op] = function (this: GPUCommandEncoder, ...a: unknown[]) {
          rec.fail(`a ${op} inside the step`);
          return original.apply(this, a);
        };
      }
      const finish = enc.finish;
      enc.finish = function (this: GPUCommandEncoder, d?: GPUCommandBufferDescriptor) {
        const cb = finish.call(this, d);
        finished.add(cb);
        return cb;
      };
      return enc;
    }),
  );
  const mapAsync = GPUBuffer.prototype.mapAsync;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...a: Parameters<GPUBuffer['mapAsync']>) {
    rec.fail('the step reads values back from the GPU');
    return mapAsync.apply(this, a);
  };
  restores.push(() => void (GPUBuffer.prototype.mapAsync = mapAsync));
  recording = rec;
  recordingBackend = be;
  setClaimUpload(claimRecordedUpload);
  try {
    const result = step();
    flush(be); // the step's last kernels go, and tfjs releases what it held for them
    return { rec, result };
  } finally {
    recording = null;
    recordingBackend = null;
    setClaimUpload(null);
    for (const r of restores.reverse()) r();
  }
}

/** A value a step leaves in a new buffer that the next step reads from the old one: copied back after each replay. */
type Carry = { from: GPUBuffer; to: GPUBuffer };

/**
 * Whether `b` repeats `a` (the step before it): the values to carry from step to step, or why not.
 *
 * A buffer from before the step may differ between the two only as a reassigned variable does
 * (BatchNorm's moving averages): `a` read the variable's old buffer and made its new one, which `b`
 * reads. Then, before every replay, `b`'s new buffer in that role (which the variable now holds, and
 * which every replay rewrites) is copied into the one `b` read, so each replay reads the latest value. Anything else that differs stops the replay.
 */
function compare(a: Recording, b: Recording): { carries: Carry[] } | { why: string } {
  const namesA = new Map<GPUBuffer, string>();
  const namesB = new Map<GPUBuffer, string>();
  const ca = a.canonical(namesA);
  const cb = b.canonical(namesB);
  if (ca.length !== cb.length) return { why: `the two steps made different numbers of WebGPU calls (${a.events.length} and ${b.events.length})` };
  const moved = new Map<GPUBuffer, GPUBuffer>();
  for (let i = 0; i < ca.length; i++) {
    const [x, y] = [ca[i], cb[i]];
    if (x === y) continue;
    if (x instanceof GPUBuffer && y instanceof GPUBuffer) {
      if ((moved.get(x) ?? y) !== y) return { why: 'a buffer from before the step is read in different places in the two steps' };
      moved.set(x, y);
      continue;
    }
    const say = (t: unknown) => (typeof t === 'string' ? t : t instanceof GPUBuffer ? 'a buffer' : 'a pipeline');
    return { why: `the two steps differ at call ${i}: ${say(x)} vs ${say(y)}` };
  }
  const byName = new Map([...namesB].map(([buffer, name]) => [name, buffer]));
  const carries: Carry[] = [];
  for (const [, to] of moved) {
    // `to` must be what step a made in some role; step b's buffer in that role holds the new value
    const role = namesA.get(to);
    const from = role === undefined ? undefined : byName.get(role);
    if (!from) return { why: 'a buffer from before the step differs between the two steps, and not as a reassigned variable' };
    if (from !== to) carries.push({ from, to });
  }
  for (let i = 0; i < a.events.length; i++) {
    const ea = a.events[i];
    const eb = b.events[i];
    if (ea.kind !== 'write' || eb.kind !== 'write' || eb.next) continue;
    if (ea.data.byteLength !== eb.data.byteLength || ea.data.some((v, j) => v !== eb.data[j])) {
      return {
        why: `a value written to the GPU changed between the steps without being claimed as per-step (write ${i} of ${a.events.length} calls, ${eb.data.byteLength} bytes)`,
      };
    }
  }
  return { carries };
}

/** Takes `buffer` out of tfjs's free pool (as if acquired); false if it is not there. */
function takeFromPool(bm: BufferManager, buffer: GPUBuffer): boolean {
  const free = bm.freeBuffers.get(bufferKey(buffer));
  const i = free ? free.indexOf(buffer) : -1;
  if (!free || i < 0) return false;
  free.splice(i, 1);
  bm.numFreeBuffers--;
  const used = bm.usedBuffers.get(bufferKey(buffer)) ?? [];
  bm.usedBuffers.set(bufferKey(buffer), used);
  used.push(buffer);
  bm.numUsedBuffers++;
  bm.numBytesUsed += buffer.size;
  return true;
}

/** Replays of one recorded step, holding its buffers out of tfjs's pool. */
class Replay {
  /** buffers of the step no tensor owns: held here, given back to the pool on dispose */
  private readonly held = new Set<GPUBuffer>();
  /**
   * Writes a replay leaves out: a uniform buffer written once in the step with bytes that never
   * change still holds them from the recorded step (the replay holds it, so nothing else writes it).
   */
  private readonly kept = new Set<Event>();
  private readonly staging: GPUBuffer[] = [];
  private scratch: GPUBuffer[] | null = null;
  private disposed = false;
  private readonly restoreRelease: Restore;
  invalid: string | null = null;

  constructor(
    private readonly be: Backend,
    private readonly rec: Recording,
    private readonly output: { buffer: GPUBuffer; bytes: number },
    private readonly carries: Carry[],
  ) {
    const bm = be.bufferManager;
    const mine = rec.buffers();
    for (const c of carries) mine.add(c.to);
    for (const b of mine) if (takeFromPool(bm, b)) this.held.add(b);
    // Buffers tensors still hold: weights, moments, constants from before the step, and what the step
    // left in tensors (the loss, a reassigned variable's new value). Released, they mean the state the
    // replay reads or writes has moved (a weight assigned anew, the model disposed, a variable updated
    // by a step through tfjs): the replay ends. The loss is released by its reader, as expected.
    const owned = new Set([...mine].filter((b) => !this.held.has(b) && b !== output.buffer));
    const writes = new Map<GPUBuffer, number>();
    for (const e of rec.events) if (e.kind === 'write') writes.set(e.buffer, (writes.get(e.buffer) ?? 0) + 1);
    for (const e of rec.events) {
      if (e.kind === 'write' && !e.next && writes.get(e.buffer) === 1 && (e.buffer.usage & GPUBufferUsage.UNIFORM) !== 0 && this.held.has(e.buffer))
        this.kept.add(e);
    }
    const release = bm.releaseBuffer;
    this.restoreRelease = override(bm, 'releaseBuffer', (buffer: GPUBuffer, reuse?: boolean) => {
      if (!mine.has(buffer)) return release.call(bm, buffer, reuse);
      if (owned.has(buffer)) this.invalid ??= 'a buffer the step reads or leaves its results in was released by its tensor';
      this.held.add(buffer);
    });
  }

  /** Why this replay must not run now (a guard's answer), or null. */
  blocked(): string | null {
    for (const g of this.rec.replayGuards) {
      const why = g();
      if (why) return why;
    }
    return null;
  }

  /** Encodes and submits the step with `feeds`; resolves to the output's values. */
  run(feeds: StepFeeds): Promise<Float32Array> {
    const be = this.be;
    const nexts = new Map<Event, ArrayBufferView>();
    for (const hook of this.rec.replayHooks) hook();
    for (const e of this.rec.events) {
      if (e.kind !== 'write' || !e.next) continue;
      const v = e.next(feeds);
      if (!v) throw new Error(`step replay: no value for '${e.claim}'`);
      const want = e.data.byteLength;
      if (v.byteLength === want) nexts.set(e, v);
      else if (v.byteLength < want && want - v.byteLength < 4) {
        const padded = new Uint8Array(want);
        padded.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        nexts.set(e, padded);
      } else throw new Error(`step replay: '${e.claim}' has ${v.byteLength} bytes, the recorded step wrote ${want}`);
    }
    flush(be);
    const device = be.device;
    const queue = device.queue;
    if (this.carries.length) {
      // The last step's carried values (in the buffers that step, recorded or replayed, wrote them
      // to) into the buffers this step reads them from: all sources into scratch buffers first, then
      // out, so that one carry's source being another's destination changes nothing; and submitted
      // before this step's first write, which may reuse a source buffer.
      const copy = device.createCommandEncoder();
      this.scratch ??= this.carries.map((c) =>
        device.createBuffer({ size: Math.min(c.from.size, c.to.size), usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }),
      );
      this.carries.forEach((c, i) => copy.copyBufferToBuffer(c.from, 0, this.scratch![i], 0, this.scratch![i].size));
      this.carries.forEach((c, i) => copy.copyBufferToBuffer(this.scratch![i], 0, c.to, 0, this.scratch![i].size));
      queue.submit([copy.finish()]);
    }
    let enc = device.createCommandEncoder();
    let pass: GPUComputePassEncoder | null = null;
    const events = this.rec.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.kind === 'dispatch') {
        pass ??= enc.beginComputePass();
        pass.setPipeline(e.pipeline);
        pass.setBindGroup(0, e.group);
        pass.dispatchWorkgroups(e.x, e.y, e.z);
      } else if (e.kind === 'write') {
        if (this.kept.has(e)) continue;
        const v = nexts.get(e) ?? e.data;
        queue.writeBuffer(e.buffer, e.offset, v.buffer, v.byteOffset, v.byteLength);
      } else if (i < events.length - 1) {
        pass?.end();
        pass = null;
        queue.submit([enc.finish()]);
        enc = device.createCommandEncoder();
      }
    }
    pass?.end();
    const bytes = this.output.bytes;
    const staging = this.staging.pop() ?? device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.copyBufferToBuffer(this.output.buffer, 0, staging, 0, bytes);
    queue.submit([enc.finish()]);
    return staging.mapAsync(GPUMapMode.READ).then(() => {
      const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
      staging.unmap();
      if (this.disposed) staging.destroy();
      else this.staging.push(staging);
      return values;
    });
  }

  dispose(): void {
    this.restoreRelease();
    for (const b of this.held) this.be.bufferManager.releaseBuffer(b);
    this.held.clear();
    for (const s of this.staging) s.destroy();
    this.staging.length = 0;
    for (const s of this.scratch ?? []) s.destroy();
    this.scratch = null;
    this.disposed = true;
  }
}

/**
 * Runs a sequence of like steps (a training phase's, a validation's, a prediction's batches): through
 * tfjs until two consecutive steps of the same `key` (the caller's name for the step's shapes and
 * kind) record alike, then by replay while the key stays the same. A step of another key (a short
 * last batch) runs through tfjs between replays. Dispose at the end of the sequence.
 */
export class StepReplayer implements StepRunner {
  private previous: { key: string; rec: Recording } | null = null;
  private replay: { key: string; r: Replay } | null = null;
  private attempts = 0;
  readonly status: StepRunnerStatus = { replayed: 0, off: null, carried: 0 };

  /** Comparisons that may fail in a row (no replay between them) before the phase gives up on replay. */
  static readonly MAX_FAILURES = 3;
  /** why the last comparison failed (for the bench and tests) */
  lastFailure: string | null = null;

  constructor() {
    if (!accelFlag(STEP_REPLAY_FLAG)) this.status.off = `${STEP_REPLAY_FLAG} is false`;
    else if (!webgpuBackend()) this.status.off = tf.getBackend() === 'webgpu' ? 'tfjs is timing kernels' : `the backend is ${tf.getBackend()}, not webgpu`;
  }

  /**
   * One step. `feeds` gives the per-step bytes a replay needs (only called for a replay); `step` runs it
   * through tfjs and returns its output: a float32 tensor made inside the step (the loss), which the
   * caller no longer needs after `read`.
   */
  run(key: string | null, feeds: () => StepFeeds, step: () => tf.Tensor): StepResult {
    const current = this.replay;
    if (current?.r.invalid) {
      // recorded again from the next step on (a failure, so that this cannot repeat without end)
      this.lastFailure = `a replay ended: ${current.r.invalid}`;
      this.drop(++this.attempts >= StepReplayer.MAX_FAILURES ? this.lastFailure : null);
    }
    const blocked = this.replay && this.replay.key === key ? this.replay.r.blocked() : null;
    if (blocked) {
      this.lastFailure = `a replay was refused: ${blocked}`;
      this.drop(++this.attempts >= StepReplayer.MAX_FAILURES ? this.lastFailure : null);
    }
    if (this.replay && this.replay.key === key) {
      const read = this.replay.r.run(feeds());
      this.status.replayed++;
      return { read, dispose: () => undefined, replayed: true };
    }
    // a null key: a step not to be replayed (a batch held as a tensor: its input buffer is new each time)
    const be = this.status.off === null && !this.replay && key !== null ? webgpuBackend() : null;
    if (!be || key === null) {
      const out = step();
      return { read: out.data() as Promise<Float32Array>, dispose: () => out.dispose(), replayed: false };
    }
    flush(be);
    const { rec, result: out } = record(be, step);
    const previous = this.previous;
    this.previous = { key, rec };
    const outBuffer = be.tensorMap.get(out.dataId)?.resource;
    const same = previous && previous.key === key && !previous.rec.problem ? compare(previous.rec, rec) : undefined;
    const why =
      rec.problem ??
      (out.dtype === 'float32' && outBuffer instanceof GPUBuffer && rec.acquiredAt.has(outBuffer)
        ? null
        : 'the output was not a float32 tensor computed inside the step') ??
      (same && 'why' in same ? same.why : same ? null : undefined);
    if (why === null && same && 'carries' in same) {
      this.replay = { key, r: new Replay(be, rec, { buffer: outBuffer as GPUBuffer, bytes: out.size * 4 }, same.carries) };
      this.status.carried = same.carries.length;
      this.previous = null;
      this.attempts = 0;
    } else if (why) {
      // the first step of a phase creates Adam's moments, so it never matches the second
      this.lastFailure = why;
      if (++this.attempts >= StepReplayer.MAX_FAILURES) {
        this.status.off = why;
        this.previous = null;
      }
    }
    return { read: out.data() as Promise<Float32Array>, dispose: () => out.dispose(), replayed: false };
  }

  private drop(why: string | null): void {
    this.replay?.r.dispose();
    this.replay = null;
    this.previous = null;
    if (why) this.status.off = why;
  }

  /**
   * Ends the current replay (not a failure): the next two steps record again. The trainer calls it at
   * every epoch's start, so that anything a callback changed between epochs (beyond the learning
   * rate, which Adam's claim reads at every replay) is recorded afresh.
   */
  restart(): void {
    this.drop(null);
    this.attempts = 0;
  }

  /** Gives the replayed step's buffers back to tfjs. */
  dispose(): void {
    this.drop(null);
  }
}
