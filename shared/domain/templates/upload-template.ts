import { composeCitizenId } from '../citizen-id.ts';
import { DATASET_COLUMN_DEFINITIONS } from '../datasets/dataset-rows.ts';
import type { UploadKind } from '../events.ts';
import type { Period } from '../period.ts';
import type { PlanCatalogue } from '../plan/catalogue.ts';
import { PROGRESS_COLUMN_DEFINITIONS } from '../progress/progress-report.ts';
import type { ColumnDefinition } from '../tabular/column-definition.ts';
import type { UnitCode } from '../units.ts';

/**
 * What an Excel template of an upload kind holds (the workbook is written from this in
 * `template-workbook.ts`): the kind's columns as the ingester validates them, with the
 * values of every choice column resolved, and one example row the ingester accepts.
 */
export interface UploadTemplate {
  kind: UploadKind;
  unit: UnitCode;
  period: Period;
  columns: TemplateColumn[];
  exampleRow: Record<string, string>;
}

export interface TemplateColumn extends ColumnDefinition {
  /** The drop-down values (fixed, or the plan's metric codes the unit reports). */
  values?: readonly string[];
}

export function columnDefinitionsOf(kind: UploadKind): readonly ColumnDefinition[] {
  return kind === 'progress' ? PROGRESS_COLUMN_DEFINITIONS : DATASET_COLUMN_DEFINITIONS[kind];
}

/**
 * The template of `kind` for `unit` and `period`: 指标编码 lists the metrics of the period's
 * plan that the unit reports; dates of the example row fall in the period.
 */
export function uploadTemplate(kind: UploadKind, unit: UnitCode, period: Period, plan: PlanCatalogue): UploadTemplate {
  const metricCodes = plan.metrics.filter((m) => m.reporters.includes(unit)).map((m) => m.code);
  const columns = columnDefinitionsOf(kind).map((d) => (d.valuesFrom === 'plan-metric-codes' ? { ...d, values: metricCodes } : d));
  return { kind, unit, period, columns, exampleRow: exampleRow(kind, unit, period, metricCodes) };
}

/**
 * An ID number no one has: born 1900-01-01 (the earliest birth date the validator
 * accepts), in the unit's own region so two units' examples never meet as a duplicate.
 */
export function exampleCitizenId(unit: UnitCode): string {
  return composeCitizenId(unit, '1900-01-01', 999);
}

function exampleRow(kind: UploadKind, unit: UnitCode, period: Period, metricCodes: string[]): Record<string, string> {
  const id = exampleCitizenId(unit);
  const date = `${period}-01`;
  switch (kind) {
    case 'progress':
      return { 指标编码: metricCodes[0] ?? '', 累计完成值: '0', 备注: '示例行' };
    case 'roster':
      return {
        身份证号: id,
        姓名: '示例',
        户编号: 'SL-0001',
        救助类别: '低保',
        家庭人口数: '1',
        家庭月人均收入: '800',
        与户主关系: '本人',
        乡镇街道: '示例街道',
        联系电话: '',
      };
    case 'visits':
      return { 身份证号: id, 探访日期: date, 探访人: '示例', 情况: '示例行' };
    case 'medical':
      return { 身份证号: id, 结算日期: date, 医疗总费用: '1,200.50', 个人自付金额: '300', 医院: '示例医院', 病种: '示例' };
    case 'employment':
      return { 身份证号: id, 事件类型: '就业登记', 事件日期: date };
    case 'household':
      return { 身份证号: id, 事件类型: '迁入', 事件日期: date };
    case 'disability':
      return { 身份证号: id, 残疾类别: '肢体', 残疾等级: '四级', 发证日期: date };
    case 'assets':
      return { 身份证号: id, 资产类型: '金融资产', 登记日期: date, 估值: '10000', 描述: '示例行' };
  }
}
