// Console output to an on-page terminal: bytes are decoded as UTF-8 (split
// sequences across writes handled) and appended to an element's text, which
// keeps the last `maxChars` characters so a chatty guest cannot grow the page
// without bound. Lines can also be observed (the page parses VU readings).

import type { ConsoleBackend } from "../console.ts";

export class TerminalConsole implements ConsoleBackend {
  private readonly el: HTMLElement;
  private readonly decoder = new TextDecoder();
  private readonly maxChars: number;
  private pendingLine = "";
  private readonly onLine?: (line: string) => void;
  bytes = 0;

  constructor(el: HTMLElement, options: { maxChars?: number; onLine?: (line: string) => void } = {}) {
    this.el = el;
    this.maxChars = options.maxChars ?? 200_000;
    this.onLine = options.onLine;
  }

  write(bytes: Uint8Array): void {
    this.bytes += bytes.byteLength;
    const text = this.decoder.decode(bytes, { stream: true });
    this.append(text);
  }

  /** Text from the host (not the guest), e.g. a status line. */
  append(text: string): void {
    let shown = (this.el.textContent ?? "") + text;
    if (shown.length > this.maxChars) shown = shown.slice(shown.length - this.maxChars);
    this.el.textContent = shown;
    this.el.scrollTop = this.el.scrollHeight;
    if (!this.onLine) return;
    this.pendingLine += text;
    let nl: number;
    while ((nl = this.pendingLine.indexOf("\n")) >= 0) {
      this.onLine(this.pendingLine.slice(0, nl));
      this.pendingLine = this.pendingLine.slice(nl + 1);
    }
  }
}
