/** A message for one recipient (a reporting unit), in Chinese, with nothing personal in it. */
export interface Notice {
  recipient: string;
  title: string;
  /** Markdown (钉钉/企业微信 render it; the inbox shows it as text). */
  body: string;
  /** The dashboard page where the item is worked. */
  link: string;
  severity: 'info' | 'warning' | 'critical';
}

/**
 * Dashboard pages (the hash routes of web/src/router.ts), from the stage's dashboard base URL. The pages
 * take no query: each shows the signed-in unit's own items (the city: all), so a link names the page only.
 */
export const dashboardLinks = {
  alert: (base: string, alertId: string) => `${base}/#/alerts/${encodeURIComponent(alertId)}`,
  alerts: (base: string) => `${base}/#/alerts`,
  uploads: (base: string) => `${base}/#/uploads`,
  progress: (base: string) => `${base}/#/progress`,
  notifications: (base: string) => `${base}/#/notifications`,
};
