// One side of the worker ping-pong (baselines/worker-atomics.ts), run in a
// worker_thread. Word 0 of the shared buffer is the channel: the pinger
// stores REQUEST and sleeps in Atomics.wait until the ponger stores REPLY.
// The pinger times its own batches, so messages to the main thread are not
// part of the figure.

import { parentPort, workerData } from "node:worker_threads";

const REQUEST = 1;
const REPLY = 2;
const STOP = 3;

const { role, buffer } = workerData as { role: "ping" | "pong"; buffer: SharedArrayBuffer };
const word = new Int32Array(buffer);

function pong(): void {
  for (;;) {
    let v: number;
    while ((v = Atomics.load(word, 0)) !== REQUEST) {
      if (v === STOP) return;
      Atomics.wait(word, 0, v);
    }
    Atomics.store(word, 0, REPLY);
    Atomics.notify(word, 0);
  }
}

/** n round trips; returns the milliseconds they took. */
function ping(n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    Atomics.store(word, 0, REQUEST);
    Atomics.notify(word, 0);
    while (Atomics.load(word, 0) === REQUEST) Atomics.wait(word, 0, REQUEST);
  }
  return performance.now() - t0;
}

if (role === "pong") {
  pong();
} else {
  parentPort!.on("message", (msg: { batch: number } | { stop: true }) => {
    if ("stop" in msg) {
      Atomics.store(word, 0, STOP);
      Atomics.notify(word, 0);
      parentPort!.close();
      return;
    }
    parentPort!.postMessage({ ms: ping(msg.batch) });
  });
}
