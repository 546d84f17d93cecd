import type { AlertLevel } from '../events.ts';

export type { AlertLevel };

/** Alert levels from least to most severe. */
export const ALERT_LEVEL_ORDER = ['yellow', 'orange', 'red'] as const satisfies readonly AlertLevel[];

export const ALERT_LEVEL_TITLES: Record<AlertLevel, string> = { yellow: '黄色', orange: '橙色', red: '红色' };

/** One step up: yellow → orange → red; red stays red. */
export function escalateLevel(level: AlertLevel): AlertLevel {
  const index = ALERT_LEVEL_ORDER.indexOf(level);
  return ALERT_LEVEL_ORDER[Math.min(index + 1, ALERT_LEVEL_ORDER.length - 1)];
}

/** The more severe of two levels. */
export function moreSevereLevel(a: AlertLevel, b: AlertLevel): AlertLevel {
  return ALERT_LEVEL_ORDER.indexOf(a) >= ALERT_LEVEL_ORDER.indexOf(b) ? a : b;
}
