// fuel_overhead_ratio_calls: a call-heavy CPU-bound guest, so the fuel
// figures are not judged on cpu-work's loop shape alone. One unit of work is
// what compiled application code spends its time on when it is not in a
// tight loop: recursion (Ackermann), building and walking a small tree of
// objects (the garbage-collected runtime's allocation and write barriers), a
// sort through a comparator (an indirect call per comparison) and counting
// words in a Map (hashing and string comparison in the runtime).
//   call-work <batch> <batches>

import { intArg, runBatches } from "./lib/marks";

let seed: u32 = 12345;
function rand(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

function ackermann(m: i32, n: i32): i32 {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

class Node {
  constructor(
    public value: i32,
    public left: Node | null,
    public right: Node | null,
  ) {}
}

function build(depth: i32): Node | null {
  if (depth == 0) return null;
  return new Node(<i32>(rand() & 0xff), build(depth - 1), build(depth - 1));
}

function sum(n: Node | null): i32 {
  if (n === null) return 0;
  return n.value + sum(n.left) - sum(n.right);
}

function sorted(n: i32): i32 {
  const a = new Array<i32>(n);
  for (let i = 0; i < n; i++) a[i] = <i32>(rand() % 1000);
  a.sort((x, y) => x - y);
  return a[0] + a[n - 1];
}

const TEXT = "the quick brown fox jumps over the lazy dog the fox barks and the dog sleeps";

function words(): i32 {
  const counts = new Map<string, i32>();
  const parts = TEXT.split(" ");
  for (let i = 0; i < parts.length; i++) {
    const w = parts[i];
    counts.set(w, counts.has(w) ? counts.get(w) + 1 : 1);
  }
  return counts.size + counts.get("the");
}

/** The results, exported so the optimizer cannot drop the work. */
export let sink: i32 = 0;

function units(n: i32): void {
  for (let i = 0; i < n; i++) sink += ackermann(2, 3) + sum(build(6)) + sorted(64) + words();
}

runBatches(intArg(2), intArg(1), units);
