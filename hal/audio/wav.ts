// WAV (RIFF/WAVE, PCM) encoding: the 44-byte canonical header, an in-memory
// recorder sink (tests, the browser: wrap bytes() in a Blob), and a parser for
// checking what was written. The file writer is hal/node/wav-file.ts.

import { Constants } from "../../abi/gen/abi.ts";
import type { AudioSink } from "./sink.ts";

export const WAV_HEADER_BYTES = 44;
/** Largest data chunk a RIFF size field can describe. */
export const WAV_MAX_DATA_BYTES = 0xffffffff - 36;

export interface PcmFormat {
  rate: number;
  channels: number;
  bitsPerSample: number;
}

/** The audio device's format: 48 kHz, 2 channels, signed 16-bit. */
export const DEVICE_FORMAT: PcmFormat = { rate: Constants.AUDIO_RATE, channels: Constants.AUDIO_CHANNELS, bitsPerSample: 16 };

/** The canonical 44-byte header of a PCM WAV file whose data chunk holds dataBytes bytes. */
export function wavHeader(dataBytes: number, fmt: PcmFormat = DEVICE_FORMAT): Uint8Array {
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > WAV_MAX_DATA_BYTES)
    throw new RangeError(`WAV data size ${dataBytes} out of range`);
  const blockAlign = (fmt.channels * fmt.bitsPerSample) / 8;
  const h = new Uint8Array(WAV_HEADER_BYTES);
  const v = new DataView(h.buffer);
  const tag = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) h[at + i] = s.charCodeAt(i);
  };
  tag(0, "RIFF");
  v.setUint32(4, 36 + dataBytes, true);
  tag(8, "WAVE");
  tag(12, "fmt ");
  v.setUint32(16, 16, true); // fmt chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, fmt.channels, true);
  v.setUint32(24, fmt.rate, true);
  v.setUint32(28, fmt.rate * blockAlign, true); // byte rate
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, fmt.bitsPerSample, true);
  tag(36, "data");
  v.setUint32(40, dataBytes, true);
  return h;
}

export interface ParsedWav extends PcmFormat {
  /** The data chunk's bytes. */
  data: Uint8Array;
}

/** Parse a PCM WAV file (walking its chunks). Throws with the reason if it is not one. */
export function parseWav(bytes: Uint8Array): ParsedWav {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a RIFF/WAVE file");
  if (v.getUint32(4, true) !== bytes.length - 8)
    throw new Error(`RIFF size ${v.getUint32(4, true)} does not match the file (${bytes.length - 8})`);
  let fmt: PcmFormat | null = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.length) throw new Error(`chunk ${id} runs past the end`);
    if (id === "fmt ") {
      if (v.getUint16(body, true) !== 1) throw new Error("not PCM");
      fmt = { channels: v.getUint16(body + 2, true), rate: v.getUint32(body + 4, true), bitsPerSample: v.getUint16(body + 14, true) };
    } else if (id === "data") {
      if (fmt === null) throw new Error("data chunk before fmt chunk");
      return { ...fmt, data: bytes.subarray(body, body + size) };
    }
    at = body + size + (size & 1);
  }
  throw new Error("no data chunk");
}

/** An AudioSink that records a WAV file in memory. */
export class WavRecorder implements AudioSink {
  private readonly chunks: Uint8Array[] = [];
  private dataBytes = 0;

  write(samples: Uint8Array): void {
    this.append(samples.slice());
  }

  silence(frames: number): void {
    this.append(new Uint8Array(frames * Constants.AUDIO_FRAME_BYTES));
  }

  private append(chunk: Uint8Array): void {
    if (this.dataBytes + chunk.length > WAV_MAX_DATA_BYTES) throw new RangeError("WAV data would exceed 4 GiB");
    this.chunks.push(chunk);
    this.dataBytes += chunk.length;
  }

  /** The whole file: header and data. */
  bytes(): Uint8Array {
    const out = new Uint8Array(WAV_HEADER_BYTES + this.dataBytes);
    out.set(wavHeader(this.dataBytes));
    let at = WAV_HEADER_BYTES;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
