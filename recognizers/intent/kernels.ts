/**
 * Dense float32 kernels (`axpy`, `dot`) for the classifiers' inner loops, as a tiny hand-written
 * WebAssembly SIMD module. Plain JS loops run at ~2 ns per multiply-add; f32x4 SIMD is several
 * times faster, which is what lets an MLP plus a linear model train on clinc150 in the time
 * budget. Vectors must hold a multiple of 4 floats and live in the arena's memory. When SIMD is
 * unavailable, the same functions fall back to JS.
 */

/** y[0..n) += a * x[0..n), with byte pointers into the arena. */
export type Axpy = (y: number, x: number, n: number, a: number) => void;
/** sum of x[i] * y[i] for i in [0, n). */
export type Dot = (x: number, y: number, n: number) => number;

// Opcodes used below (see the WebAssembly core and SIMD specs).
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 0x02, 0x00]; // align 2^2: rows are only float-aligned in general
const V128_STORE = [SIMD, 0x0b, 0x02, 0x00];
const F32X4_SPLAT = [SIMD, 0x13];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const f32x4ExtractLane = (lane: number): number[] => [SIMD, 0x1f, lane];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Buffer.from(s, 'utf8')];
const addInPlace = (local: number, bytes: number): number[] => [LOCAL_GET, local, I32_CONST, bytes, I32_ADD, LOCAL_SET, local];

// Both loops run `for (end = x + 4n; x < end; x += 16, y += 16)`.
function loopOver(x: number, y: number, end: number, body: number[]): number[] {
  return [BLOCK, VOID, LOOP, VOID, LOCAL_GET, x, LOCAL_GET, end, I32_GE_U, BR_IF, 1, ...body, ...addInPlace(x, 16), ...addInPlace(y, 16), BR, 0, END, END];
}

function buildModule(): Uint8Array {
  // axpy(y, x, n, a): locals 4 = end (i32), 5 = a splatted (v128)
  const axpy = [
    ...vec([
      [1, I32],
      [1, V128],
    ]),
    LOCAL_GET,
    3,
    ...F32X4_SPLAT,
    LOCAL_SET,
    5,
    LOCAL_GET,
    1,
    LOCAL_GET,
    2,
    I32_CONST,
    2,
    I32_SHL,
    I32_ADD,
    LOCAL_SET,
    4,
    ...loopOver(1, 0, 4, [LOCAL_GET, 0, LOCAL_GET, 0, ...V128_LOAD, LOCAL_GET, 1, ...V128_LOAD, LOCAL_GET, 5, ...F32X4_MUL, ...F32X4_ADD, ...V128_STORE]),
    END,
  ];
  // dot(x, y, n) -> f32: locals 3 = end (i32), 4 = accumulator (v128, zero-initialised)
  const dot = [
    ...vec([
      [1, I32],
      [1, V128],
    ]),
    LOCAL_GET,
    0,
    LOCAL_GET,
    2,
    I32_CONST,
    2,
    I32_SHL,
    I32_ADD,
    LOCAL_SET,
    3,
    ...loopOver(0, 1, 3, [LOCAL_GET, 4, LOCAL_GET, 0, ...V128_LOAD, LOCAL_GET, 1, ...V128_LOAD, ...F32X4_MUL, ...F32X4_ADD, LOCAL_SET, 4]),
    LOCAL_GET,
    4,
    ...f32x4ExtractLane(0),
    LOCAL_GET,
    4,
    ...f32x4ExtractLane(1),
    F32_ADD,
    LOCAL_GET,
    4,
    ...f32x4ExtractLane(2),
    F32_ADD,
    LOCAL_GET,
    4,
    ...f32x4ExtractLane(3),
    F32_ADD,
    END,
  ];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(
      1,
      vec([
        [0x60, ...vec([[I32], [I32], [I32], [F32]]), 0],
        [0x60, ...vec([[I32], [I32], [I32]]), 1, F32],
      ]),
    ),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [1]])),
    ...section(
      7,
      vec([
        [...name('axpy'), 0x00, 0],
        [...name('dot'), 0x00, 1],
      ]),
    ),
    ...section(
      10,
      vec([
        [...leb(axpy.length), ...axpy],
        [...leb(dot.length), ...dot],
      ]),
    ),
  ];
  return Uint8Array.from(bytes);
}

// The project's TypeScript lib settings (ES2022, no DOM) do not declare WebAssembly, so the few
// members used here are typed locally instead of widening the shared tsconfig.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = buildModule();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** A JS-only stand-in for WebAssembly.Memory when WebAssembly itself is missing. */
class PlainMemory implements WasmMemory {
  buffer: ArrayBuffer;
  constructor(pages: number) {
    this.buffer = new ArrayBuffer(pages * 65536);
  }
  grow(pages: number): number {
    const old = this.buffer;
    this.buffer = new ArrayBuffer(old.byteLength + pages * 65536);
    new Uint8Array(this.buffer).set(new Uint8Array(old));
    return old.byteLength / 65536;
  }
}

/**
 * A growable block of float32 memory with bump allocation, plus kernels bound to it. Each
 * trained model owns one arena, so its weights can be handed to the SIMD code without copying.
 */
export class Arena {
  private memory: WasmMemory;
  private used = 16;
  private view: Float32Array;
  readonly axpy: Axpy;
  readonly dot: Dot;
  /** true when the WebAssembly SIMD kernels are in use (false: JS fallback) */
  readonly simd: boolean;

  constructor(floats: number, useSimd = true) {
    const pages = Math.max(1, Math.ceil((floats * 4 + 1024) / 65536));
    const module = useSimd ? simdModule() : null;
    this.memory = wasm !== undefined ? new wasm.Memory({ initial: pages }) : new PlainMemory(pages);
    this.view = new Float32Array(this.memory.buffer);
    this.simd = module !== null && wasm !== undefined;
    if (module !== null && wasm !== undefined) {
      // Synchronous instantiation is allowed for modules this small.
      const exports = new wasm.Instance(module, { env: { memory: this.memory } }).exports as { axpy: Axpy; dot: Dot };
      this.axpy = exports.axpy;
      this.dot = exports.dot;
    } else {
      this.axpy = (y, x, n, a) => {
        const v = this.view;
        const yi = y >> 2;
        const xi = x >> 2;
        for (let i = 0; i < n; i++) v[yi + i] += a * v[xi + i];
      };
      this.dot = (x, y, n) => {
        const v = this.view;
        let s = 0;
        for (let i = 0; i < n; i++) s += v[(x >> 2) + i] * v[(y >> 2) + i];
        return s;
      };
    }
  }

  /** Float32 view of the whole arena (re-read after allocations: growing replaces the buffer). */
  get f32(): Float32Array {
    return this.view;
  }

  /** Allocates `n` zeroed floats, 16-byte aligned; returns the byte offset. */
  alloc(n: number): number {
    const offset = (this.used + 15) & ~15;
    const end = offset + n * 4;
    if (end > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / 65536));
      this.view = new Float32Array(this.memory.buffer);
    }
    this.used = end;
    return offset;
  }
}

/** Rounds up to a multiple of 4 so rows fit whole SIMD lanes. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}
