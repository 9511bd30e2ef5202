// counter: a tiny server and its clients, for boot manifests (systems/counter.json).
//
//   counter server          serves the endpoint handle "ep": word 0 = 1 adds word 1 to
//                           the total and answers it; word 0 = 2 makes it crash (a trap),
//                           so a manifest's restart policy can be seen at work.
//   counter client N [K]    sends N increments of 1 to the endpoint handle "counter";
//                           before the K-th it asks the server to crash. A call caught by
//                           the crash (ECLOSED: the server is gone) is retried after 1 ms,
//                           at most 1000 times. Exits 0 when all N were counted.
//   counter crash           traps at once (a server that never comes up).
import { args, errnoName, exit, handle, println, receive, reply, replyError, send, sleep, word, ECLOSED, EINVAL } from "@wasmos/sdk";

const OP_ADD: i64 = 1;
const OP_CRASH: i64 = 2;

function serve(): void {
  const ep = handle("ep");
  if (ep < 0) {
    println("counter server: no endpoint: " + errnoName(ep));
    exit(2);
  }
  println("counter server: up");
  let total: i64 = 0;
  for (;;) {
    const rcvid = receive(ep);
    if (rcvid <= 0) continue; // a pulse: nothing to answer
    const op = word(0);
    if (op == OP_ADD) {
      total += word(1);
      reply(rcvid, 0, total);
    } else if (op == OP_CRASH) {
      println("counter server: crashing as asked");
      unreachable();
    } else replyError(rcvid, EINVAL);
  }
}

function client(name: string, n: i32, crashAt: i32): void {
  const ep = handle("counter");
  if (ep < 0) {
    println(name + ": no counter handle: " + errnoName(ep));
    exit(2);
  }
  let retries = 0;
  for (let i = 0; i < n; i++) {
    if (i == crashAt) send(ep, OP_CRASH); // answered by the server's death
    let r = send(ep, OP_ADD, 1);
    while (r == -ECLOSED && retries < 1000) {
      retries++;
      sleep(1_000_000);
      r = send(ep, OP_ADD, 1);
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
