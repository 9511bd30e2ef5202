// A typical parent: spawns copies of itself from its image handle; each child
// sleeps i ms and exits 10 + i; the parent waits for each and prints the statuses.
import { args, errnoName, exit, handle, isError, NamedHandle, println, sleep, spawn, wait } from "@wasmos/sdk";

const argv = args();
if (argv.length >= 3 && argv[1] == "child") {
  const i = I32.parseInt(argv[2]);
  sleep(<i64>i * 1_000_000);
  exit(10 + i);
} else {
  const self = handle("self");
  if (isError(self)) { println("no self: " + errnoName(self)); exit(1); }
  const kids = new Array<i32>(3);
  for (let i = 0; i < 3; i++) kids[i] = spawn(self, ["spawn-wait", "child", (3 - i).toString()], [new NamedHandle("self", self)]);
  for (let i = 0; i < 3; i++) {
    const st = wait(kids[i]);
    println("child " + i.toString() + ": " + st.status.toString());
  }
}
