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

/** Dashboard pages (hash routes of the one-page dashboard), from the stage's dashboard base URL. */
export const dashboardLinks = {
  alert: (base: string, alertId: string) => `${base}/#/alerts/${encodeURIComponent(alertId)}`,
  alerts: (base: string, unit: string) => `${base}/#/alerts?unit=${unit}`,
  uploads: (base: string, unit: string, period: string) => `${base}/#/uploads?unit=${unit}&period=${period}`,
  progress: (base: string, unit: string) => `${base}/#/progress?unit=${unit}`,
  notifications: (base: string, unit: string) => `${base}/#/notifications?unit=${unit}`,
};
