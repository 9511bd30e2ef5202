// Timer device: one deadline at a time on the kernel clock; its expiry raises
// IRQ_TIMER. There is no periodic tick: a driver that wants one re-arms from
// the interrupt (one-shot deadlines only, as everywhere in the kernel).

import { Constants, ObjectType } from "../abi/gen/abi.ts";
import { BaseDevice } from "./device.ts";

export class TimerDevice extends BaseDevice {
  readonly objectType = ObjectType.DEV_TIMER;
  /** The armed deadline (kernel ns), or Infinity. */
  deadline = Infinity;
  expiries = 0;
  private cancel: (() => void) | null = null;

  constructor(name = "timer") {
    super(name);
  }

  /** Arm the deadline (Infinity disarms). Returns whether an armed deadline was replaced or disarmed. */
  arm(deadline: number): boolean {
    const replaced = this.disarm();
    if (deadline === Infinity) return replaced;
    this.deadline = deadline;
    this.cancel = this.ctx.setTimer(deadline, () => {
      this.cancel = null;
      this.deadline = Infinity;
      this.expiries++;
      this.ctx.interrupt(Constants.IRQ_TIMER, this.expiries);
    });
    return replaced;
  }

  override info(key: number): number | null {
    if (key === Constants.DEVINFO_TIMER_DEADLINE) return this.deadline;
    if (key === Constants.DEVINFO_TIMER_EXPIRIES) return this.expiries;
    return null;
  }

  private disarm(): boolean {
    if (this.cancel === null) return false;
    this.cancel();
    this.cancel = null;
    this.deadline = Infinity;
    return true;
  }

  protected override onFail(): void {
    this.disarm();
  }

  protected override onClose(): void {
    this.disarm();
  }
}
