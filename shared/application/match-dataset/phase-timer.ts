/** Wall time per phase of one upload, for the log line and the benchmark. */
export class PhaseTimer {
  readonly ms: Record<string, number> = {};
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.ms[phase] = (this.ms[phase] ?? 0) + Math.round(performance.now() - start);
    }
  }
}
