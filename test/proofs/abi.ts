// What the proofs read from the ABI definition itself (abi/wasmos.abi.json).

import { readFileSync } from "node:fs";

interface AbiJson {
  rights: { name: string; bit: number }[];
  pledge_classes: { name: string }[];
  syscalls: { nr: number; name: string; pledge: string; rights?: string[] }[];
}

export const ABI: AbiJson = JSON.parse(readFileSync(new URL("../../abi/wasmos.abi.json", import.meta.url), "utf8"));

const BIT = new Map(ABI.rights.map((r) => [r.name, r.bit]));

/** Each syscall that needs rights on its handle, with the mask the ABI requires. */
export const SYSCALL_NEEDS: readonly { name: string; need: number }[] = ABI.syscalls
  .filter((s) => (s.rights ?? []).length > 0)
  .map((s) => ({ name: s.name, need: s.rights!.reduce((m, r) => m | (1 << BIT.get(r)!), 0) }));

/** A rights mask in words: "READ|WRITE". */
export function rightsNames(mask: number): string {
  const names = ABI.rights.filter((r) => (mask >>> r.bit) & 1).map((r) => r.name);
  const known = ABI.rights.reduce((m, r) => m | (1 << r.bit), 0);
  const other = (mask & ~known) >>> 0;
  if (other !== 0) names.push(`0x${other.toString(16)}`);
  return names.length === 0 ? "no rights" : names.join("|");
}
