// The deadline class: periodic processes scheduled earliest-deadline-first
// above every fixed priority, with admission control and a budget per job.
//
// A reservation is (runtime C, period P, relative deadline D <= P). Job k is
// released at r_k = r_0 + kP, is due at r_k + D and may use C of CPU. The
// kernel refuses a reservation that would make the total utilisation
// sum(C / min(D, P)) exceed the class's capacity (EDF is optimal on one CPU:
// any set within capacity <= 1 meets every deadline, given each job stays
// within its runtime), or the partition's own share. A job that uses up its
// runtime is throttled until its next release, so an overrunning process
// cannot take CPU the admission test promised to others. A job not finished
// (sched_wait_period) by its deadline counts as a miss.

import { NUMBERS } from "../rules/algebra.ts";
import { admitsLoad, reservationLoad } from "../rules/edf.ts";
import type { Timer } from "../timers.ts";

export class EdfReservation {
  readonly runtimeNs: number;
  readonly periodNs: number;
  readonly deadlineNs: number;
  /** C / min(D, P): what admission control counts. */
  readonly utilisation: number;
  /** The current job: release time, absolute deadline, runtime left. */
  release = 0;
  absDeadline = 0;
  budgetNs = 0;
  /** The job has ended (sched_wait_period); the process waits for the next release. */
  done = false;
  /** The job used up its runtime; the process is off the run queues until the next release. */
  throttled = false;
  /** The job was already counted as a miss. */
  missed = false;
  misses = 0;
  /** Misses not yet reported by sched_wait_period. */
  missesUnreported = 0;
  throttles = 0;
  /** The next release. */
  timer: Timer | null = null;
  /** Order among equal deadlines (FIFO). */
  seq = 0;

  constructor(runtimeNs: number, periodNs: number, deadlineNs: number) {
    this.runtimeNs = runtimeNs;
    this.periodNs = periodNs;
    this.deadlineNs = deadlineNs;
    this.utilisation = reservationLoad(NUMBERS, runtimeNs, periodNs, deadlineNs);
  }

  /** Start a job released at `release`. */
  startJob(release: number): void {
    this.release = release;
    this.absDeadline = release + this.deadlineNs;
    this.budgetNs = this.runtimeNs;
    this.done = false;
    this.throttled = false;
    this.missed = false;
  }

  /** Count a miss if the current job is unfinished at `now` and past its deadline. */
  checkMiss(now: number): void {
    if (now > this.absDeadline) this.missIfUnfinished();
  }

  /** The next job is being released (D <= P: the deadline has come): an unfinished job missed it. */
  missIfUnfinished(): void {
    if (!this.done && !this.missed) {
      this.missed = true;
      this.misses++;
      this.missesUnreported++;
    }
  }
}

/** Whether adding `utilisation` (after removing `replacing`) keeps `load` within `capacity`. */
export function admits(load: number, replacing: number, utilisation: number, capacity: number): boolean {
  return admitsLoad(NUMBERS, load, replacing, utilisation, capacity);
}
