// fuel_overhead_ratio: a CPU-bound guest. One unit of work is a sieve of
// Eratosthenes over 4096 bytes (nested loops, memory), fib(15) by recursion
// (calls), and an FNV-1a hash of the sieve (a tight loop): the function
// entries and loop headers fuel metering charges, in a realistic mix.
//   cpu-work <batch> <batches>

import { intArg, runBatches } from "./lib/marks";

const N = 4096;
const sieve = new Uint8Array(N);

function primes(): i32 {
  sieve.fill(0);
  let count = 0;
  for (let i = 2; i < N; i++) {
    if (sieve[i] == 0) {
      count++;
      for (let j = i * i; j < N; j += i) sieve[j] = 1;
    }
  }
  return count;
}

function fib(n: i32): i32 {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function fnv(): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < N; i++) {
    h ^= sieve[i];
    h *= 16777619;
  }
  return h;
}

/** The results, exported so the optimizer cannot drop the work. */
export let sink: u32 = 0;

function units(n: i32): void {
  for (let i = 0; i < n; i++) sink += <u32>primes() + <u32>fib(15) + fnv();
}

runBatches(intArg(2), intArg(1), units);
