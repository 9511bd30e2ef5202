// A WAV file on disk as an audio sink (Node). The header is rewritten after
// every period, so the file is a valid WAV of everything played so far at any
// moment, not only after close.

import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { Constants } from "../../abi/gen/abi.ts";
import type { AudioSink } from "../audio/sink.ts";
import { WAV_HEADER_BYTES, WAV_MAX_DATA_BYTES, wavHeader } from "../audio/wav.ts";

const ZEROS = new Uint8Array(65536);

export class WavFileSink implements AudioSink {
  readonly path: string;
  private fd: number | null;
  /** Bytes in the data chunk so far. */
  dataBytes = 0;

  /** Create (or truncate) the file, making its directory if needed. */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
    writeSync(this.fd, wavHeader(0));
  }

  write(samples: Uint8Array): void {
    this.append(samples);
    this.patchHeader();
  }

  silence(frames: number): void {
    let left = frames * Constants.AUDIO_FRAME_BYTES;
    while (left > 0) {
      const n = Math.min(left, ZEROS.length);
      this.append(ZEROS.subarray(0, n));
      left -= n;
    }
    this.patchHeader();
  }

  private append(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    if (this.dataBytes + bytes.length > WAV_MAX_DATA_BYTES) throw new RangeError(`${this.path}: WAV data would exceed 4 GiB`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, WAV_HEADER_BYTES + this.dataBytes + done);
    this.dataBytes += bytes.length;
  }

  private patchHeader(): void {
    writeSync(this.fd!, wavHeader(this.dataBytes), 0, WAV_HEADER_BYTES, 0);
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}
