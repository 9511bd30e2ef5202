// KernelObject: the base of everything a handle can name.
// An object lives while handles name it (handleRefs) or the kernel itself
// holds it (kernelRefs: a running process, an image a process runs). When both
// reach zero it is destroyed exactly once and its resources are released.

export class ObjectRegistry {
  private nextKoid = 1;
  /** Object type (a small integer) -> live count; a hole for a type never allocated. An array, not a Map: every object's creation and end counts here. */
  private readonly live: number[] = [];

  allocate(type: number): number {
    this.live[type] = (this.live[type] ?? 0) + 1;
    return this.nextKoid++;
  }

  released(type: number): void {
    const n = this.live[type] ?? 0;
    if (n <= 0) throw new KernelBug(`object type ${type} released more often than allocated`);
    this.live[type] = n - 1;
  }

  /** Live objects by type, for every type ever allocated (for leak checks and statistics). */
  liveCounts(): Record<number, number> {
    const out: Record<number, number> = {};
    this.live.forEach((n, type) => {
      out[type] = n;
    });
    return out;
  }

  liveTotal(): number {
    let n = 0;
    this.live.forEach((v) => {
      n += v;
    });
    return n;
  }
}

export abstract class KernelObject {
  abstract readonly type: number;
  readonly koid: number;
  // #private (not TS `private`): a subclass field of the same name cannot clobber these.
  readonly #registry: ObjectRegistry;
  #handleRefs = 0;
  #kernelRefs = 0;
  #destroyed = false;

  constructor(registry: ObjectRegistry, type: number) {
    this.#registry = registry;
    this.koid = registry.allocate(type);
  }

  get isDestroyed(): boolean {
    return this.#destroyed;
  }

  get handleCount(): number {
    return this.#handleRefs;
  }

  retainHandle(): void {
    this.#handleRefs++;
  }
  releaseHandle(): void {
    if (this.#handleRefs <= 0) throw new KernelBug(`handle refcount underflow on object ${this.koid}`);
    this.#handleRefs--;
    this.maybeDestroy();
  }
  retainKernel(): void {
    this.#kernelRefs++;
  }
  releaseKernel(): void {
    if (this.#kernelRefs <= 0) throw new KernelBug(`kernel refcount underflow on object ${this.koid}`);
    this.#kernelRefs--;
    this.maybeDestroy();
  }

  private maybeDestroy(): void {
    if (this.#handleRefs === 0 && this.#kernelRefs === 0 && !this.#destroyed) {
      this.#destroyed = true;
      this.onDestroy();
      this.#registry.released(this.type);
    }
  }

  /** Release what the object owns. Called once, when the last reference goes. */
  protected onDestroy(): void {}

  /** A capability with these rights now names the object (a table insert, or a derivation in flight). */
  capOpened(_rights: number): void {}
  /** A capability with these rights stopped naming the object for good (closed, revoked, dropped in flight). */
  capClosed(_rights: number): void {}
}

/**
 * A broken kernel invariant. Raised inside a syscall it ends the calling
 * process with reason KERNEL_FAULT; the kernel and other processes carry on.
 */
export class KernelBug extends Error {
  override readonly name = "KernelBug";
}
