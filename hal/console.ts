// Console device: output bytes go to a backend (a terminal, a log); input
// bytes from the backend are buffered (at most MAX_CONSOLE_RX_BYTES; more are
// dropped and counted) until the driver reads them, each arrival raising
// IRQ_CONSOLE_RX and the end of input IRQ_CONSOLE_EOF.

import { Constants, Limits, ObjectType } from "../abi/gen/abi.ts";
import { BaseDevice } from "./device.ts";

/** Where a console device's input goes (the device itself). */
export interface ConsoleInput {
  input(bytes: Uint8Array): void;
  end(): void;
}

export interface ConsoleBackend {
  /** Output bytes. `bytes` may be a view of guest memory: consume it before returning. */
  write(bytes: Uint8Array): void;
  /** Start delivering input (asynchronously, from the host's event loop); returns a function that stops it. */
  listen?(to: ConsoleInput): () => void;
  close?(): void;
}

export class ConsoleDevice extends BaseDevice implements ConsoleInput {
  readonly objectType = ObjectType.DEV_CONSOLE;
  private readonly backend: ConsoleBackend;
  private readonly chunks: Uint8Array[] = [];
  private head = 0; // bytes of chunks[0] already read
  private stopListening: (() => void) | null = null;
  buffered = 0;
  ended = false;
  dropped = 0;
  txBytes = 0;

  constructor(backend: ConsoleBackend, name = "console") {
    super(name);
    this.backend = backend;
  }

  protected override onBind(): void {
    if (this.backend.listen) this.guard("listen", () => (this.stopListening = this.backend.listen!(this)));
  }

  /** Input arrives (from the backend, or the host directly). Copied; beyond MAX_CONSOLE_RX_BYTES buffered it is dropped. */
  input(bytes: Uint8Array): void {
    if (this.failure !== null || this.ended || bytes.length === 0) return;
    const take = Math.min(bytes.length, Limits.MAX_CONSOLE_RX_BYTES - this.buffered);
    this.dropped += bytes.length - take;
    if (take === 0) return;
    this.chunks.push(bytes.slice(0, take));
    this.buffered += take;
    this.ctx.interrupt(Constants.IRQ_CONSOLE_RX, this.buffered);
  }

  /** Input has ended (what is buffered can still be read). */
  end(): void {
    if (this.failure !== null || this.ended) return;
    this.ended = true;
    this.ctx.interrupt(Constants.IRQ_CONSOLE_EOF, this.buffered);
  }

  /** Move up to into.length buffered bytes into `into`; returns how many. */
  read(into: Uint8Array): number {
    let n = 0;
    while (n < into.length && this.chunks.length > 0) {
      const c = this.chunks[0];
      const take = Math.min(into.length - n, c.length - this.head);
      into.set(c.subarray(this.head, this.head + take), n);
      n += take;
      this.head += take;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.buffered -= n;
    return n;
  }

  write(bytes: Uint8Array): void {
    if (this.guard("write", () => this.backend.write(bytes))) this.txBytes += bytes.length;
  }

  override info(key: number): number | null {
    switch (key) {
      case Constants.DEVINFO_CONSOLE_RX_BUFFERED:
        return this.buffered;
      case Constants.DEVINFO_CONSOLE_RX_DROPPED:
        return this.dropped;
      case Constants.DEVINFO_CONSOLE_RX_EOF:
        return this.ended ? 1 : 0;
      case Constants.DEVINFO_CONSOLE_TX_BYTES:
        return this.txBytes;
      default:
        return null;
    }
  }

  private stop(): void {
    const stop = this.stopListening;
    this.stopListening = null;
    stop?.();
  }

  protected override onFail(): void {
    this.stop();
  }

  protected override onClose(): void {
    this.stop();
    this.backend.close?.();
  }
}

/** A console backend in memory: output collected, input given by the caller (tests, embedding, the browser). */
export class MemoryConsole implements ConsoleBackend {
  private readonly out: Uint8Array[] = [];
  closed = false;

  write(bytes: Uint8Array): void {
    this.out.push(bytes.slice());
  }

  /** Everything written so far. */
  output(): Uint8Array {
    const total = this.out.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of this.out) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  }

  text(): string {
    return new TextDecoder().decode(this.output());
  }

  close(): void {
    this.closed = true;
  }
}
