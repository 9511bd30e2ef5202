// pulses: a pulse-driven server and an event-port handler.
//
//   wasmos run pulses.wasm [ticks]
//
// Two "ticker" children each send `ticks` pulses (code = ticker id, value =
// tick number) to the root's endpoint, sleeping 1 ms between them; pulses
// never block them. The root receives pulses (receive returns 0 for a
// pulse) and counts them per ticker, then forwards the total as a packet to
// an event port bound to its own handler, which runs after _start returns.
import {
  args, handle, NamedHandle, now, portBind, portCreate, portSend, println, pulse, receive, sleep, spawn, word, endpointCreate,
  dup, RIGHT_SEND, RIGHT_TRANSFER, exit,
} from "@wasmos/sdk";

/** The event-port handler: the kernel calls it once per packet, after _start has returned. */
export function on_total(key: i32, code: i32, value: i64): void {
  println("port handler (key " + key.toString() + "): " + value.toString() + " pulses in " + (now() / 1_000_000).toString() + " ms");
  exit(0);
}

const argv = args();
if (argv.length >= 3 && argv[1] == "ticker") {
  const id = I32.parseInt(argv[2]);
  const ticks = I32.parseInt(argv[3]);
  const ep = handle("ep");
  for (let i = 1; i <= ticks; i++) {
    pulse(ep, id, i);
    sleep(1_000_000);
  }
} else {
  const ticks = argv.length >= 2 ? I32.parseInt(argv[1]) : 5;
  const ep = endpointCreate();
  const self = handle("self");
  // Each ticker gets a send-only handle of its own, moved into it.
  spawn(self, ["pulses", "ticker", "1", ticks.toString()], [new NamedHandle("ep", dup(ep, RIGHT_SEND | RIGHT_TRANSFER), true)]);
  spawn(self, ["pulses", "ticker", "2", ticks.toString()], [new NamedHandle("ep", dup(ep, RIGHT_SEND | RIGHT_TRANSFER), true)]);
  const counts = new StaticArray<i32>(3);
  for (let n = 0; n < 2 * ticks; n++) {
    if (receive(ep) != 0) continue;
    const id = <i32>word(0);
    counts[id]++;
    println("pulse from ticker " + id.toString() + ": tick " + word(1).toString());
  }
  println("ticker 1 sent " + counts[1].toString() + ", ticker 2 sent " + counts[2].toString());
  const port = portCreate();
  portBind(port, "on_total", 42);
  portSend(port, 1, counts[1] + counts[2]);
  // _start returns; the process stays resident until on_total runs and exits.
}
