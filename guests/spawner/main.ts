// spawner: starts children from an image handle and waits for each.
//
//   wasmos run spawner.wasm [N]     spawn N (default 3) copies of itself
//
// The kernel hands the root process its own image as handle "self"; each
// child runs this same program with the arguments "child <i>", sleeps i ms of
// kernel time, and exits with status 10 + i. The parent prints each exit in
// the order it waits, then the time the children took.
import {
  args, errnoName, exit, exitReasonName, handle, isError, NamedHandle, now, println, sleep, spawn, wait,
  EXIT_NORMAL,
} from "@wasmos/sdk";

const argv = args();
if (argv.length >= 3 && argv[1] == "child") {
  const i = I32.parseInt(argv[2]);
  sleep(<i64>i * 1_000_000);
  println("child " + i.toString() + " awake at " + (now() / 1_000_000).toString() + " ms");
  exit(10 + i);
} else {
  const n = argv.length >= 2 ? I32.parseInt(argv[1]) : 3;
  const self = handle("self");
  if (isError(self)) {
    println("no image handle \"self\": " + errnoName(self));
    exit(1);
  }
  const start = now();
  const children = new Array<i32>(n);
  for (let i = 0; i < n; i++) {
    // Spawn in reverse order of wake-up to show that sleeps, not spawn order, decide.
    const child = spawn(self, ["spawner", "child", (n - i).toString()], [new NamedHandle("self", self)]);
    if (isError(child)) {
      println("spawn failed: " + errnoName(child));
      exit(2);
    }
    children[i] = child;
  }
  for (let i = 0; i < n; i++) {
    const st = wait(children[i]);
    if (!st.ok) {
      println("wait failed: " + errnoName(st.errno));
      exit(3);
    }
    println("child " + (n - i).toString() + " exited with status " + st.status.toString() +
      (st.reason == EXIT_NORMAL ? "" : " (" + exitReasonName(st.reason) + ")"));
  }
  println("all " + n.toString() + " children done after " + ((now() - start) / 1_000_000).toString() + " ms");
}
