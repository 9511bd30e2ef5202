// A WAV file on disk as an audio sink (Node). By default the data and the
// header are written after every period, so the file is a valid WAV of
// everything played so far at any moment, not only after close. With
// `{ bufferBytes: n }` periods are gathered in memory and written (data, then
// the header) once n bytes are waiting and at close: two write calls per n
// bytes instead of two per period, and the file is valid up to the last write.
// `prefault` maps the buffer's pages when the sink is made, not as it fills.

import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { Constants } from "../../abi/gen/abi.ts";
import type { AudioSink } from "../audio/sink.ts";
import { WAV_HEADER_BYTES, WAV_MAX_DATA_BYTES, wavHeader } from "../audio/wav.ts";

const ZEROS = new Uint8Array(65536);

export interface WavFileOptions {
  /** Gather this many bytes before writing (0, the default: write every period). */
  bufferBytes?: number;
  /**
   * Touch every page of that buffer now (default false), so that filling it later takes no page faults: a
   * large buffer's pages are otherwise mapped one by one as periods arrive (about one fault a period).
   */
  prefault?: boolean;
  /**
   * Gather into this buffer (the caller's, instead of a new one of bufferBytes): a host that writes WAV after
   * WAV reuses one, whose pages stay mapped, and makes no large allocation per file (a 30 s run's 5.76 MB was
   * external memory that only a full collection gave back). The sink writes into it until close.
   */
  buffer?: Uint8Array;
}

export class WavFileSink implements AudioSink {
  readonly path: string;
  private fd: number | null;
  /** Bytes in the data chunk so far (written or waiting). */
  dataBytes = 0;
  /** Bytes of the data chunk on disk. */
  private written = 0;
  private readonly pending: Uint8Array | null;
  private waiting = 0;
  /** Whether any data went to the file before close (else the whole data chunk is in the buffer: gathered()). */
  private spilled = false;
  private closing = false;
  /** The data size the header on disk states. */
  private headerFor = 0;

  /** Create (or truncate) the file, making its directory if needed. */
  constructor(path: string, options: WavFileOptions = {}) {
    this.path = path;
    const n = options.bufferBytes ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`WAV bufferBytes ${n}`);
    this.pending = options.buffer !== undefined ? (options.buffer.length > 0 ? options.buffer : null) : n > 0 ? new Uint8Array(n) : null;
    if (options.prefault === true) this.pending?.fill(0); // a write to each page maps it (zeros: what it held)
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
    writeSync(this.fd, wavHeader(0));
  }

  write(samples: Uint8Array): void {
    this.append(samples);
  }

  silence(frames: number): void {
    let left = frames * Constants.AUDIO_FRAME_BYTES;
    while (left > 0) {
      const n = Math.min(left, ZEROS.length);
      this.append(ZEROS.subarray(0, n));
      left -= n;
    }
  }

  /** Add bytes to the data chunk: into the buffer if they fit, else the buffer and then they go to the file. The header follows every write. */
  private append(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    if (this.dataBytes + bytes.length > WAV_MAX_DATA_BYTES) throw new RangeError(`${this.path}: WAV data would exceed 4 GiB`);
    const buf = this.pending;
    if (buf !== null && bytes.length > buf.length - this.waiting) this.writeWaiting();
    if (buf !== null && bytes.length <= buf.length - this.waiting) {
      buf.set(bytes, this.waiting);
      this.waiting += bytes.length;
    } else {
      this.writeAt(bytes);
    }
    this.dataBytes += bytes.length;
    if (this.written !== this.headerFor) this.patchHeader();
  }

  /**
   * The whole data chunk as gathered in memory (a view of the buffer, valid until the buffer is reused), when
   * none of it was written before close; null otherwise (unbuffered, or a buffer that filled).
   */
  gathered(): Uint8Array | null {
    return this.pending === null || this.spilled ? null : this.pending.subarray(0, this.dataBytes);
  }

  private writeAt(bytes: Uint8Array): void {
    if (!this.closing) this.spilled = true;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done, WAV_HEADER_BYTES + this.written + done);
    this.written += bytes.length;
  }

  private writeWaiting(): void {
    if (this.waiting === 0) return;
    const n = this.waiting;
    this.waiting = 0;
    this.writeAt(this.pending!.subarray(0, n));
  }

  private patchHeader(): void {
    writeSync(this.fd!, wavHeader(this.written), 0, WAV_HEADER_BYTES, 0);
    this.headerFor = this.written;
  }

  close(): void {
    if (this.fd === null) return;
    this.closing = true;
    this.writeWaiting();
    if (this.written !== this.headerFor) this.patchHeader();
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}
