// echo: a server and a client talking through a named endpoint.
//
//   wasmos run echo.wasm [message ...]
//
// Run as the root, it spawns two copies of itself: "server" creates an
// endpoint and registers it as "echo" in the name registry it was given;
// "client" looks "echo" up and sends each message (a long message: the text
// is the body), printing the reply (the text upper-cased, its length in word
// 0). The client then sends word -1, which tells the server to stop.
import {
  args, errnoName, exit, handle, isError, Message, messageInfo, NamedHandle, nameLookup, nameRegister, println,
  receive, reply, sendMessage, send, sleep, spawn, wait, word, endpointCreate,
} from "@wasmos/sdk";

const QUIT: i64 = -1;

function serve(ns: i32): void {
  const ep = endpointCreate();
  const r = nameRegister(ns, "echo", ep);
  if (isError(r)) {
    println("server: cannot register: " + errnoName(r));
    exit(1);
  }
  const buf = new Uint8Array(256);
  for (;;) {
    const rcvid = receive(ep, buf);
    if (rcvid <= 0) continue; // a pulse, or an error: nothing to answer
    if (word(0) == QUIT) {
      reply(rcvid, 0);
      return;
    }
    const len = min(<i32>messageInfo().bodyLength, buf.length);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const c = buf[i];
      out[i] = c >= 0x61 && c <= 0x7a ? c - 32 : c;
    }
    reply(rcvid, len, <i64>len, 0, out);
  }
}

function client(ns: i32, messages: string[]): void {
  let ep = nameLookup(ns, "echo");
  while (isError(ep)) {
    sleep(1_000_000); // the server has not registered yet
    ep = nameLookup(ns, "echo");
  }
  for (let i = 0; i < messages.length; i++) {
    const m = new Message();
    m.body = Uint8Array.wrap(String.UTF8.encode(messages[i]));
    const back = new Uint8Array(256);
    m.reply = back;
    const status = sendMessage(ep, m);
    if (isError(status)) {
      println("client: send failed: " + errnoName(status));
      exit(1);
    }
    println("client: " + messages[i] + " -> " + String.UTF8.decode(back.buffer.slice(0, status)) + " (" + word(0).toString() + " bytes)");
  }
  send(ep, QUIT);
}

const argv = args();
const ns = handle("ns");
if (argv.length >= 2 && argv[1] == "server") serve(ns);
else if (argv.length >= 2 && argv[1] == "client") client(ns, argv.slice(2));
else {
  const self = handle("self");
  const messages = argv.length > 1 ? argv.slice(1) : ["hello", "wasmos"];
  const pass = [new NamedHandle("ns", ns)];
  const server = spawn(self, ["echo", "server"], pass);
  const c = spawn(self, ["echo", "client"].concat(messages), pass);
  const a = wait(c);
  const b = wait(server);
  println("echo: client exited " + a.status.toString() + ", server exited " + b.status.toString());
}
