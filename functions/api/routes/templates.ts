import { Hono } from 'hono';
import { z } from 'zod';
import { uploadKindSchema } from '../../../shared/domain/events.ts';
import { periodSchema, periodYear } from '../../../shared/domain/period.ts';
import { templateWorkbook } from '../../../shared/domain/templates/template-workbook.ts';
import { uploadTemplate } from '../../../shared/domain/templates/upload-template.ts';
import { unitCodeSchema, unitName } from '../../../shared/domain/units.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { parseInput } from '../api-error.ts';
import { callerOf, requireCaller, unitInScope } from '../caller.ts';
import { currentPlanPeriod, planOfYear } from '../plan-period.ts';
import { requestTime } from '../request-time.ts';
import { UPLOAD_KIND_LABELS } from '../../../shared/api/responses.ts';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** `{kind}.xlsx` as the path names it. */
export const templateParamsSchema = z.object({
  kind: z.enum(uploadKindSchema.options, { error: `模板类型应为 ${uploadKindSchema.options.join('/')} 之一` }),
});

export const templateQuerySchema = z.object({
  period: periodSchema.optional(),
  unit: unitCodeSchema.optional(),
});

/**
 * `GET /templates/{kind}.xlsx[?period=&unit=]`: the Excel template of an upload kind, for the
 * caller's unit (the city may name one) and period (default: this month): the progress
 * template lists only the metrics the unit reports, and the example row is dated in the period.
 */
export function templateRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().use('*', requireCaller(deps.tokenKey)).get('/:file{[a-z]+\\.xlsx}', async (c) => {
    const { kind } = parseInput(templateParamsSchema, { kind: c.req.param('file').replace(/\.xlsx$/, '') });
    const query = parseInput(templateQuerySchema, c.req.query());
    const caller = callerOf(c);
    const unit = unitInScope(caller, query.unit) ?? caller.unit;
    const period = query.period ?? currentPlanPeriod(requestTime(c));
    const template = uploadTemplate(kind, unit, period, planOfYear(periodYear(period)));
    const title = `${UPLOAD_KIND_LABELS[kind]}上传模板(${unitName(unit)},${period})`;
    const body = await templateWorkbook(template, title);
    const fileName = `${UPLOAD_KIND_LABELS[kind]}模板-${unit}-${period}.xlsx`;
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': XLSX_MEDIA_TYPE,
      'Content-Disposition': `attachment; filename="${kind}.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      'Cache-Control': 'no-store',
    });
  });
}
