/**
 * The platform's clock. `start --clock 2024-03-01` runs as if the day were that
 * date (from midnight Asia/Shanghai), advancing normally, or `rate` times faster for demos.
 */
export class PlatformClock {
  private startedReal = Date.now();
  private startedVirtual: number;

  constructor(
    startDate?: string,
    private readonly rate = 1,
  ) {
    this.startedVirtual = startDate ? Date.parse(`${startDate}T00:00:00+08:00`) : this.startedReal;
    if (Number.isNaN(this.startedVirtual)) throw new Error(`无效的日期 ${startDate},应为 YYYY-MM-DD`);
  }

  /** Moves the clock forward to a date (demo's fast year); it then advances normally from there. */
  advanceTo(date: string): void {
    const target = Date.parse(`${date}T08:00:00+08:00`);
    if (target < this.now().getTime()) throw new Error(`时钟不能倒退到 ${date}`);
    this.startedReal = Date.now();
    this.startedVirtual = target;
  }

  now(): Date {
    return new Date(this.startedVirtual + (Date.now() - this.startedReal) * this.rate);
  }
}
