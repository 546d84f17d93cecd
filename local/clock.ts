/**
 * The platform's clock. `start --clock 2024-03-01` runs as if the day were that
 * date (from midnight Asia/Shanghai), advancing normally, or `rate` times faster for demos.
 */
export class PlatformClock {
  private readonly startedReal = Date.now();
  private readonly startedVirtual: number;

  constructor(startDate?: string, private readonly rate = 1) {
    this.startedVirtual = startDate ? Date.parse(`${startDate}T00:00:00+08:00`) : this.startedReal;
    if (Number.isNaN(this.startedVirtual)) throw new Error(`无效的日期 ${startDate},应为 YYYY-MM-DD`);
  }

  now(): Date {
    return new Date(this.startedVirtual + (Date.now() - this.startedReal) * this.rate);
  }
}
