import { listAlerts, type StoredAlert } from '../../shared/adapters/alert-store.ts';

/** Every stored alert, all pages, in alertId order. */
export async function allAlerts(): Promise<StoredAlert[]> {
  const alerts: StoredAlert[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlerts({ limit: 200, cursor });
    alerts.push(...page.alerts);
    cursor = page.nextCursor;
  } while (cursor);
  return alerts.sort((x, y) => x.alertId.localeCompare(y.alertId));
}
