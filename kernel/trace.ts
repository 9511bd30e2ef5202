// The kernel event trace: one line per scheduling-relevant event, stamped
// with the kernel clock. In deterministic mode the same boot yields the same
// trace byte for byte (the determinism test compares them). Disabled by
// default: recording costs time on hot paths.

export class EventTrace {
  private readonly lines: string[] = [];
  enabled: boolean;
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }
  record(t: number, pid: number, event: string, detail = ""): void {
    this.lines.push(detail ? `${t} ${pid} ${event} ${detail}` : `${t} ${pid} ${event}`);
  }
  text(): string {
    return this.lines.length > 0 ? this.lines.join("\n") + "\n" : "";
  }
  get length(): number {
    return this.lines.length;
  }
}
