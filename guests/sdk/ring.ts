// A single-producer, single-consumer ring over a bound grant (the unikernel
// seed's ION rings). The data path is loads and stores on shared memory, no
// kernel call; the kernel is asked only to sleep a side that cannot go on
// (consumer: ring empty; producer: ring full) and to wake it.
//
// Layout at `base` in the grant (all u32, little-endian):
//    0 magic (RING_MAGIC once initialised)    4 capacity (slots, a power of 2)
//    8 slot size (bytes, a multiple of 8)     12 reserved
//   16 head: messages published (producer)    20 consumer asleep flag
//   32 tail: messages consumed (consumer)     36 producer asleep flag
//   64 slots: slot n at 64 + (n & (capacity - 1)) * slotSize, holding
//      [length u32][reserved u32][payload: slotSize - 8 bytes]
// head and tail run freely (mod 2^32); the ring holds head - tail messages.
//
// Sleeping without lost wakeups: a side that finds nothing to do sets its
// asleep flag, looks again, and only then futex_waits on the other side's
// counter with the value it saw (the kernel checks it and sleeps in one
// step). The other side, after moving its counter, wakes the sleeper if the
// flag is set. Any interleaving (processes are preempted anywhere) ends
// with the sleeper seeing the new counter or being woken.
//
//   import * as ring from "@wasmos/sdk/grants/ring";
//   const r = new Ring<ring.Memory>(handle(ring.NAME), 0);
//   r.init(1024, 16);            // producer (or the spawner), once
//   r.pushU64(42);               // producer
//   r.attach(); r.popU64();      // consumer

import { sys_futex_wait, sys_futex_wake, DEADLINE_INFINITE, EAGAIN, ECHANGED, EINVAL } from "./bindings/abi";

export const RING_MAGIC: u32 = 0x474e4952; // "RING"
export const RING_HEADER: u32 = 64;
const CAPACITY: u32 = 4;
const SLOT_SIZE: u32 = 8;
const HEAD: u32 = 16;
const CONSUMER_ASLEEP: u32 = 20;
const TAIL: u32 = 32;
const PRODUCER_ASLEEP: u32 = 36;

/** Bytes a ring of capacity slots of slotSize bytes occupies. */
export function ringBytes(capacity: u32, slotSize: u32): u32 {
  return RING_HEADER + capacity * slotSize;
}

/**
 * One side of a ring. M is a grant's generated `Memory` class
 * (`@wasmos/sdk/grants/<name>`); `memory` is the handle of the same memory
 * object (for futex calls); `base` is where the ring starts in the grant.
 * One process pushes, one pops.
 */
export class Ring<M> {
  readonly memory: i32;
  readonly base: u32;
  capacity: u32 = 0;
  slotSize: u32 = 0;
  private mask: u32 = 0;
  /** -errno of the last popU64 that failed, 0 after one that worked. */
  error: i32 = 0;

  constructor(memory: i32, base: u32) {
    this.memory = memory;
    this.base = base;
  }

  /** Largest message: slotSize - 8 bytes. */
  get maxMessage(): u32 {
    return this.slotSize - 8;
  }

  /** Write the header of an empty ring and wake whoever waits in attach(). 0 or -EINVAL (capacity not a power of 2, slotSize not a multiple of 8 or below 16). */
  init(capacity: u32, slotSize: u32): i32 {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0 || capacity > 0x40000000) return -EINVAL;
    if (slotSize < 16 || (slotSize & 7) != 0) return -EINVAL;
    const m = changetype<M>(0);
    const b = this.base;
    m.store_u32(b + CAPACITY, capacity);
    m.store_u32(b + SLOT_SIZE, slotSize);
    m.store_u32(b + HEAD, 0);
    m.store_u32(b + CONSUMER_ASLEEP, 0);
    m.store_u32(b + TAIL, 0);
    m.store_u32(b + PRODUCER_ASLEEP, 0);
    m.store_u32(b, RING_MAGIC);
    this.geometry(capacity, slotSize);
    sys_futex_wake(this.memory, <i32>b, 0x7fffffff);
    return 0;
  }

  /** Wait (until deadline) for the ring to be initialised, then learn its geometry. 0 or -errno. */
  attach(deadline: i64 = DEADLINE_INFINITE): i32 {
    const m = changetype<M>(0);
    const b = this.base;
    while (m.load_u32(b) != RING_MAGIC) {
      const r = sys_futex_wait(this.memory, <i32>b, <i32>m.load_u32(b), deadline);
      if (r < 0 && r != -ECHANGED) return r;
    }
    this.geometry(m.load_u32(b + CAPACITY), m.load_u32(b + SLOT_SIZE));
    return 0;
  }

  private geometry(capacity: u32, slotSize: u32): void {
    this.capacity = capacity;
    this.slotSize = slotSize;
    this.mask = capacity - 1;
  }

  /** Messages in the ring now. */
  size(): u32 {
    const m = changetype<M>(0);
    return m.load_u32(this.base + HEAD) - m.load_u32(this.base + TAIL);
  }

  @inline private slot(n: u32): u32 {
    return this.base + RING_HEADER + (n & this.mask) * this.slotSize;
  }

  /** Producer: wait while the ring is full. The head to publish at, or -errno (as i64). */
  private room(deadline: i64): i64 {
    const m = changetype<M>(0);
    const b = this.base;
    const head = m.load_u32(b + HEAD);
    while (head - m.load_u32(b + TAIL) >= this.capacity) {
      m.store_u32(b + PRODUCER_ASLEEP, 1);
      const tail = m.load_u32(b + TAIL);
      if (head - tail < this.capacity) {
        m.store_u32(b + PRODUCER_ASLEEP, 0);
        break;
      }
      const r = sys_futex_wait(this.memory, <i32>(b + TAIL), <i32>tail, deadline);
      if (r < 0 && r != -ECHANGED) return r;
    }
    return <i64>head;
  }

  /** Producer: the message in slot `head` is written; publish it and wake a sleeping consumer. */
  @inline private publish(head: u32): void {
    const m = changetype<M>(0);
    const b = this.base;
    m.store_u32(b + HEAD, head + 1);
    if (m.load_u32(b + CONSUMER_ASLEEP) != 0) {
      m.store_u32(b + CONSUMER_ASLEEP, 0);
      sys_futex_wake(this.memory, <i32>(b + HEAD), 1);
    }
  }

  /** Consumer: wait while the ring is empty. The tail to take, or -errno (as i64). */
  private data(deadline: i64): i64 {
    const m = changetype<M>(0);
    const b = this.base;
    const tail = m.load_u32(b + TAIL);
    while (m.load_u32(b + HEAD) == tail) {
      m.store_u32(b + CONSUMER_ASLEEP, 1);
      const head = m.load_u32(b + HEAD);
      if (head != tail) {
        m.store_u32(b + CONSUMER_ASLEEP, 0);
        break;
      }
      const r = sys_futex_wait(this.memory, <i32>(b + HEAD), <i32>head, deadline);
      if (r < 0 && r != -ECHANGED) return r;
    }
    return <i64>tail;
  }

  /** Consumer: slot `tail` is read; free it and wake a sleeping producer. */
  @inline private release(tail: u32): void {
    const m = changetype<M>(0);
    const b = this.base;
    m.store_u32(b + TAIL, tail + 1);
    if (m.load_u32(b + PRODUCER_ASLEEP) != 0) {
      m.store_u32(b + PRODUCER_ASLEEP, 0);
      sys_futex_wake(this.memory, <i32>(b + TAIL), 1);
    }
  }

  /** Push len bytes from src (own memory), sleeping while the ring is full. 0 or -errno (EINVAL: too long; futex errors such as EREVOKED, ETIMEDOUT). */
  push(src: usize, len: u32, deadline: i64 = DEADLINE_INFINITE): i32 {
    if (len > this.slotSize - 8) return -EINVAL;
    const head = this.room(deadline);
    if (head < 0) return <i32>head;
    const m = changetype<M>(0);
    const s = this.slot(<u32>head);
    m.store_u32(s, len);
    m.copy_in(s + 8, src, len);
    this.publish(<u32>head);
    return 0;
  }

  /** Push without sleeping: 0, -EAGAIN when full, -EINVAL when too long. */
  tryPush(src: usize, len: u32): i32 {
    if (len > this.slotSize - 8) return -EINVAL;
    const m = changetype<M>(0);
    const head = m.load_u32(this.base + HEAD);
    if (head - m.load_u32(this.base + TAIL) >= this.capacity) return -EAGAIN;
    const s = this.slot(head);
    m.store_u32(s, len);
    m.copy_in(s + 8, src, len);
    this.publish(head);
    return 0;
  }

  /** Pop the next message into dst (at most cap bytes copied), sleeping while empty. Its full length, or -errno. */
  pop(dst: usize, cap: u32, deadline: i64 = DEADLINE_INFINITE): i32 {
    const tail = this.data(deadline);
    if (tail < 0) return <i32>tail;
    const m = changetype<M>(0);
    const s = this.slot(<u32>tail);
    const len = m.load_u32(s);
    m.copy_out(dst, s + 8, len < cap ? len : cap);
    this.release(<u32>tail);
    return <i32>len;
  }

  /** Pop without sleeping: the length, or -EAGAIN when empty. */
  tryPop(dst: usize, cap: u32): i32 {
    const m = changetype<M>(0);
    const tail = m.load_u32(this.base + TAIL);
    if (m.load_u32(this.base + HEAD) == tail) return -EAGAIN;
    const s = this.slot(tail);
    const len = m.load_u32(s);
    m.copy_out(dst, s + 8, len < cap ? len : cap);
    this.release(tail);
    return <i32>len;
  }

  /** Push one u64 (an 8-byte message), sleeping while full. 0 or -errno. */
  pushU64(value: u64, deadline: i64 = DEADLINE_INFINITE): i32 {
    const head = this.room(deadline);
    if (head < 0) return <i32>head;
    const m = changetype<M>(0);
    const s = this.slot(<u32>head);
    m.store_u32(s, 8);
    m.store_u64(s + 8, value);
    this.publish(<u32>head);
    return 0;
  }

  /** Pop one message as a u64 (its first 8 bytes), sleeping while empty. On failure 0, with error set to -errno. */
  popU64(deadline: i64 = DEADLINE_INFINITE): u64 {
    const tail = this.data(deadline);
    if (tail < 0) {
      this.error = <i32>tail;
      return 0;
    }
    this.error = 0;
    const m = changetype<M>(0);
    const v = m.load_u64(this.slot(<u32>tail) + 8);
    this.release(<u32>tail);
    return v;
  }
}
