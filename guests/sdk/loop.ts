// Main loops the engine can optimize.
//
// V8 compiles a wasm function first to baseline (Liftoff) code and moves it to
// optimized (TurboFan) code at its next call once it has run hot. There is no
// on-stack replacement for wasm: a loop already running in baseline code stays
// there. A guest's main loop written in top-level code runs in `_start`, which
// is called once, so whatever the optimizer inlines into it (and it inlines a
// function called from one place) runs in baseline code for the whole life of
// the process: measured at 2-4x slower for the PCM visualizer's drawing.
//
// forever(body) calls body once per iteration through a function table with
// an index the optimizer cannot see (loaded from a heap array), so body is
// never inlined into the loop: it is an ordinary function called many times,
// and V8 optimizes it after its first few calls.
//
//   forever(serveOne);        // function serveOne(): bool { ... return true; }

/** Call body until it returns false; each call is a real call (see above). */
export function forever(body: () => bool): void {
  const bodies = [body];
  while (bodies[0]()) {}
}
