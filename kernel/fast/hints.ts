// Hints for the guards in front of blocking imports (host/runtime/split-imports.ts,
// docs/fastpath.md "Choosing before calling"): words the kernel keeps about the
// running process that say whether a blocking call would complete at once, so
// the guard calls the plain entry (no suspension) instead of the Suspending
// import. A hint never changes a result: the plain entry still arms the wait
// when the call must wait after all (one crossing more), and the Suspending
// import returns a value at once as it always did (a suspension more). So the
// words need only be right in the common cases, and are kept exact for those:
//
//   [HINT_RECEIVE] something is queued on the endpoint the running process
//     last received on (its EndpointCache): written at dispatch and wherever
//     that endpoint's queue changes (queued, taken, withdrawn, dropped).
//
// The words live wherever the host puts them (useHintWords: the guards' own
// kernel-owned memory); one set per host, as the epoch cell.

import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";

/** The receive hint's index in the host's guard words (host/runtime/split-imports.ts: [0] direct depth, [1] must wait). */
export const HINT_RECEIVE = 2;

let words: Int32Array = new Int32Array(HINT_RECEIVE + 1);
/** Tests only: 1 makes every hint the wrong one (results must not change: the words are hints). */
let flip = 0;

/** Keep the hints in `view` from now on (the guards' words). */
export function useHintWords(view: Int32Array): void {
  view[HINT_RECEIVE] = words[HINT_RECEIVE];
  words = view;
}

/** p is dispatched: its receive hint. */
export function hintDispatch(p: Process): void {
  const ep = p.receiveEndpoint.endpoint;
  words[HINT_RECEIVE] = (ep !== null && ep.queue.length > 0 ? 1 : 0) ^ flip;
}

/** ep's queue changed while `current` runs: its hint, if ep is the one it receives on. */
export function hintQueue(current: Process | null, ep: Endpoint): void {
  if (current !== null && current.receiveEndpoint.endpoint === ep) words[HINT_RECEIVE] = (ep.queue.length > 0 ? 1 : 0) ^ flip;
}

/** Tests only: the receive hint as the guards read it. */
export function receiveHint(): number {
  return words[HINT_RECEIVE];
}

/** Tests only: wrong hints from now on (true), or right ones (false). */
export function mutateHints(wrong: boolean): void {
  flip = wrong ? 1 : 0;
  words[HINT_RECEIVE] ^= 1;
}
