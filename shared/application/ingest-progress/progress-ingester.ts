import { hasPlan, loadPlan } from '../../domain/plan/catalogue.ts';
import { periodYear } from '../../domain/period.ts';
import { PROGRESS_COLUMNS, validateProgressRows, type ProgressRow } from '../../domain/progress/progress-report.ts';
import { judge } from '../../domain/progress/progress-view.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { recordProgress, removeSupersededProgress, progressSortKey } from '../../adapters/progress-store.ts';
import type { UploadIngester } from '../upload-pipeline/process-upload.ts';
import { faultPoint } from '../upload-pipeline/fault-injection.ts';

/** A progress report has one row per metric: anything this long is not one. */
const MAX_PROGRESS_ROWS = 5_000;

/** 工作进展月报: every good row becomes the unit's cumulative value of a metric for the period. */
export const progressIngester: UploadIngester = {
  kinds: ['progress'],
  columns: PROGRESS_COLUMNS,

  checkUpload: ({ period }) => (hasPlan(periodYear(period)) ? undefined : `期间 ${period} 没有对应年度的工作计划`),

  async ingest(upload, rows, reject) {
    const catalogue = loadPlan(periodYear(upload.period));
    const buffered: ProgressRow[] = [];
    for await (const row of rows) {
      if (buffered.length >= MAX_PROGRESS_ROWS) {
        reject({ rowNumber: row.rowNumber, column: '', reason: `进展月报最多 ${MAX_PROGRESS_ROWS} 行,超出部分未处理` });
        continue;
      }
      buffered.push(row);
    }
    const { accepted, errors } = validateProgressRows(buffered, upload.unit, catalogue);
    errors.forEach(reject);
    const events: PlatformEvent[] = [];
    const yearStart = `${catalogue.year}-01-01`;
    for (const report of accepted) {
      const metric = catalogue.metric(report.metricCode)!;
      const { changed, previousValue } = await recordProgress({
        metricCode: report.metricCode,
        unit: upload.unit,
        period: upload.period,
        value: report.value,
        uploadKey: upload.key,
        etag: upload.etag,
        updatedAt: upload.receivedAt,
      });
      if (!changed) continue;
      const target = metric.unitTargets[upload.unit] ?? null;
      events.push(
        platformEvent(DETAIL_TYPES.taskProgressUpdated, {
          metricCode: metric.code,
          unit: upload.unit,
          period: upload.period,
          value: report.value,
          previousValue,
          target,
          ...judge(metric, report.value, target, upload.period, yearStart),
        }),
      );
    }
    faultPoint('after-facts');
    const keep = new Set(accepted.map((a) => progressSortKey({ metricCode: a.metricCode, unit: upload.unit, period: upload.period })));
    const removed = await removeSupersededProgress(upload.key, upload.etag, catalogue.year, keep);
    return { events, warnings: removed > 0 ? [`已撤销本文件旧版本中的 ${removed} 项指标值`] : [] };
  },
};
