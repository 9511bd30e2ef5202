// Standard input typed on the page: a line-buffered source, as a terminal in
// cooked mode gives one. The page hands each line the user enters (with its
// newline) to send(), and end() when they end the input (Ctrl-D or the button).
// It is an InputStream (host/system.ts), so the default system's console reads
// it exactly as the CLI reads process.stdin: a guest reading /dev/stdin blocks
// until a line arrives, and a read after end() returns 0 bytes.

type Listener = (chunk: Uint8Array | string) => void;

export class LineInput {
  private readonly listeners = new Map<string, Set<Listener>>();
  private ended = false;
  /** Lines sent before anything listened (the console attaches when the program first reads). */
  private readonly early: Uint8Array[] = [];
  private readonly encoder = new TextEncoder();

  /** Whether end() was called: nothing more can be sent. */
  get closed(): boolean {
    return this.ended;
  }

  /** Give the program `text` (a line with its "\n", or any bytes); false once the input has ended. */
  send(text: string): boolean {
    if (this.ended) return false;
    const bytes = this.encoder.encode(text);
    if (bytes.length === 0) return true;
    const data = this.listeners.get("data");
    if (data === undefined || data.size === 0) this.early.push(bytes);
    else for (const fn of data) fn(bytes);
    return true;
  }

  /** End the input: the program's next read (once it has read what was sent) returns 0 bytes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.listeners.get("end")?.size) for (const fn of this.listeners.get("end")!) fn(new Uint8Array());
  }

  on(event: string, fn: Listener): this {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    // Whatever came before the first listener, in order, then the end if it came too.
    if (event === "data") for (const b of this.early.splice(0)) fn(b);
    if (event === "end" && this.ended) fn(new Uint8Array());
    return this;
  }

  off(event: string, fn: Listener): this {
    this.listeners.get(event)?.delete(fn);
    return this;
  }

  /** Nothing to pause: input only arrives when the user sends it. */
  pause(): this {
    return this;
  }
}
