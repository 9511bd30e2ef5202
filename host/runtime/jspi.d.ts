// JSPI (JavaScript Promise Integration) is on by default in Node >= 24 but not
// yet in TypeScript's lib; these are the two entry points we use.
declare namespace WebAssembly {
  class Suspending {
    constructor(fn: (...args: any[]) => unknown);
  }
  function promising<F extends (...args: any[]) => any>(fn: F): (...args: Parameters<F>) => Promise<ReturnType<F>>;
}
