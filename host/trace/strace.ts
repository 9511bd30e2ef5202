// `wasmos run --strace`: every syscall of every process, one line each, in
// strace's manner. A call that blocks while others run is printed
// `<unfinished ...>` and later `<... name resumed> = result`.

import type { SyscallDef } from "../../abi/gen/abi.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { SyscallObserver } from "../runtime/bridge.ts";
import { formatArgs, formatResult } from "./format.ts";

interface Pending {
  call: string;
  name: string;
  unfinished: boolean;
}

export class Strace implements SyscallObserver {
  private readonly write: (line: string) => void;
  private readonly pending = new Map<number, Pending>();
  lines = 0;

  constructor(write: (line: string) => void) {
    this.write = write;
  }

  private emit(pid: number, text: string): void {
    // Another process speaks: calls still open elsewhere are shown as unfinished first.
    for (const [other, pend] of this.pending) {
      if (other === pid || pend.unfinished) continue;
      pend.unfinished = true;
      this.lines++;
      this.write(`[pid ${other}] ${pend.call} <unfinished ...>`);
    }
    this.lines++;
    this.write(`[pid ${pid}] ${text}`);
  }

  enter(p: Process, def: SyscallDef, args: readonly (number | bigint)[]): void {
    this.pending.set(p.pid, { call: `${def.name}(${formatArgs(p, def, args).join(", ")})`, name: def.name, unfinished: false });
  }

  leave(p: Process, _def: SyscallDef, _args: readonly (number | bigint)[], result: number | bigint | null): void {
    const pend = this.pending.get(p.pid);
    if (pend === undefined) return;
    this.pending.delete(p.pid);
    const r = formatResult(result);
    this.emit(p.pid, pend.unfinished ? `<... ${pend.name} resumed> = ${r}` : `${pend.call} = ${r}`);
  }
}
