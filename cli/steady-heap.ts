// The Node host profile for a kernel that runs in a steady state (a pipeline
// that plays, servers that stay up): V8's young generation fixed at one size.
//
// Why: V8 sizes its young generation (the two semi-spaces every allocation
// goes to first) by the allocation rate, shrinking it when a process idles
// and growing it again when it is busy, and the pages it gives up are
// decommitted. Each page touched again after that is a page fault. On a
// machine where a fault is cheap this is noise; on a guest VM whose page
// tables the hypervisor shadows it is not: on the 2-core VMs wasmos is
// measured on a first touch costs ≈11 µs a 4 KB page (a second touch ≈30
// ns). The PCM pipeline allocates ≈4.5 KB a 20 ms period (JSPI's promises for
// its suspensions about half of it), so in the phases where V8 hands it fresh
// pages a period costs one fault more: 28-30 µs instead of 14-15 (1,000-1,800
// faults in a 30 s run against 230-300), and the same run is 650× real time
// instead of 1,200×. With the young generation fixed at the size V8 grows it
// to anyway on such a heap (16 MB a semi-space), it is never given back, and
// those phases do not occur (docs/fastpath.md "Page faults in the steady
// state"). Real-time audio hosts do the same with mlockall: no page fault on
// the path that must keep time.
//
// What it costs: the young generation's 32 MB stay committed, and a short run
// first-touches up to that much once instead of recycling a 1 MB one (≈2,300
// faults more for `wasmos run hello`, ≈25 ms on such a VM).
//
// V8 reads these flags when it sets up the heap, so they take effect only on
// Node's command line (not NODE_OPTIONS, which refuses the minimum, nor
// v8.setFlagsFromString): bin/wasmos.js re-runs itself with them for the
// commands that run a steady state, and the PCM figure's child process gets
// them (bench/figures/pcm.ts).

/** V8's flags: the young generation's semi-spaces fixed at 16 MB each. */
export const STEADY_HEAP_FLAGS: readonly string[] = Object.freeze(["--min-semi-space-size=16", "--max-semi-space-size=16"]);

/** The commands whose runs have a steady state: `demo` (the PCM pipeline) and `boot` (a system's servers). */
const STEADY_COMMANDS = new Set(["demo", "boot"]);

/** Whether the Node command line `execArgv` already carries STEADY_HEAP_FLAGS. */
export function hasSteadyHeap(execArgv: readonly string[]): boolean {
  return STEADY_HEAP_FLAGS.every((f) => execArgv.includes(f));
}

/** What sizes this process's young generation, for a run's summary: the steady heap, the user's flags or V8. */
export function youngGeneration(execArgv: readonly string[]): string {
  if (hasSteadyHeap(execArgv)) return "V8 young generation fixed at 16 MB";
  return sizesYoungGeneration(execArgv) ? "V8 young generation sized by the Node flags given" : "V8 young generation resized by V8";
}

/** Whether `execArgv` sizes the young generation itself (a semi-space flag of the user's own). */
function sizesYoungGeneration(execArgv: readonly string[]): boolean {
  return execArgv.some((a) => /^--(min|max)[-_]semi[-_]space[-_]size(=|$)|^--semi[-_]space[-_]growth[-_]factor(=|$)/.test(a));
}

/**
 * The Node arguments to re-run `script` with for the wasmos command line `argv`, or null when this process
 * should go on as it is: a command without a steady state, a process that has the flags already or sizes its
 * young generation with flags of its own (the user's win), or WASMOS_STEADY_HEAP=0 in `env`.
 */
export function steadyHeapReexec(
  script: string,
  argv: readonly string[],
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] | null {
  if (!STEADY_COMMANDS.has(argv[0]) || sizesYoungGeneration(execArgv) || env.WASMOS_STEADY_HEAP === "0") return null;
  return [...execArgv, ...STEADY_HEAP_FLAGS, script, ...argv];
}
