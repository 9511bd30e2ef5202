// counter: a tiny server and its clients, for boot manifests (systems/counter.json).
//
//   counter server          serves the endpoint handle "ep": word 0 = 1 adds word 1 to
//                           the total and answers it; word 0 = 2 makes it crash (a trap),
//                           so a manifest's restart policy can be seen at work.
//                           (call / replyWait: the words travel in the IPC buffers.)
//   counter client N [K]    sends N increments of 1 to the endpoint handle "counter";
//                           before the K-th it asks the server to crash. A call caught by
//                           the crash (ECLOSED: the server is gone) is retried after 1 ms,
//                           at most 1000 times. Exits 0 when all N were counted.
//   counter crash           traps at once (a server that never comes up).
import { args, call, errnoName, exit, handle, ipcWord, println, replyWait, setIpcWord, sleep, ECLOSED, EINVAL } from "@wasmos/sdk";

const OP_ADD: i32 = 1;
const OP_CRASH: i32 = 2;

function serve(): void {
  const ep = handle("ep");
  if (ep < 0) {
    println("counter server: no endpoint: " + errnoName(ep));
    exit(2);
  }
  println("counter server: up");
  let total: i32 = 0;
  let rcvid = 0; // the request served last: answered by the next replyWait with status (and the total in word 0)
  let status = 0;
  for (;;) {
    rcvid = replyWait(ep, rcvid, status, 1);
    if (rcvid <= 0) {
      rcvid = 0; // a pulse: nothing to answer
      continue;
    }
    const op = ipcWord(0);
    if (op == OP_ADD) {
      total += ipcWord(1);
      setIpcWord(0, total);
      status = 0;
    } else if (op == OP_CRASH) {
      println("counter server: crashing as asked");
      unreachable();
    } else status = -EINVAL;
  }
}

/** Ask to add 1: the status (0), or -errno. */
function add(ep: i32): i32 {
  setIpcWord(0, OP_ADD);
  setIpcWord(1, 1);
  return call(ep, 2);
}

function client(name: string, n: i32, crashAt: i32): void {
  const ep = handle("counter");
  if (ep < 0) {
    println(name + ": no counter handle: " + errnoName(ep));
    exit(2);
  }
  let retries = 0;
  for (let i = 0; i < n; i++) {
    if (i == crashAt) {
      setIpcWord(0, OP_CRASH);
      call(ep, 1); // answered by the server's death
    }
    let r = add(ep);
    while (r == -ECLOSED && retries < 1000) {
      retries++;
      sleep(1_000_000);
      r = add(ep);
    }
    if (r < 0) {
      println(name + ": add failed: " + errnoName(r));
      exit(1);
    }
  }
  println(name + ": " + n.toString() + " increments counted (" + retries.toString() + " retries)");
}

const argv = args();
const role = argv.length > 1 ? argv[1] : "";
if (role == "server") serve();
else if (role == "crash") unreachable();
else if (role == "client") {
  const n = argv.length > 2 ? I32.parseInt(argv[2]) : 10;
  const crashAt = argv.length > 3 ? I32.parseInt(argv[3]) : -1;
  client(argv[0], n, crashAt);
} else {
  println("usage: counter server | counter client N [K] | counter crash");
  exit(64);
}
