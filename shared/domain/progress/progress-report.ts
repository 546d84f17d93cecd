import { parseNumber } from '../tabular/cells.ts';
import { headerColumns, type ColumnDefinition } from '../tabular/column-definition.ts';
import type { PlanCatalogue } from '../plan/catalogue.ts';
import type { RowError } from '../upload-summary.ts';
import { unitName, type UnitCode } from '../units.ts';

/** The columns of a monthly progress report (工作进展月报): the header check, the validation below and the Excel template read these. */
export const PROGRESS_COLUMN_DEFINITIONS: readonly ColumnDefinition[] = [
  {
    name: '指标编码',
    required: true,
    format: 'choice',
    description: '年度计划中的指标编码(只能报送本单位负责报送的指标)',
    valuesFrom: 'plan-metric-codes',
  },
  {
    name: '累计完成值',
    required: true,
    format: 'number',
    description: '本年度截至期间末的累计完成值:比率类按 0–100 填写,金额以万元计,里程碑填 1(已完成)或 0(未完成),计数类为整数',
  },
  { name: '备注', required: false, format: 'text', description: '说明;不要填写身份证号或手机号' },
];
export const PROGRESS_COLUMNS = headerColumns(PROGRESS_COLUMN_DEFINITIONS);

/** A unit's cumulative value of one metric for the year at the end of a period. */
export interface ReportedProgress {
  metricCode: string;
  value: number;
  rowNumber: number;
}

export interface ProgressRow {
  rowNumber: number;
  cells: Record<string, string>;
}

/**
 * Validates every row of a progress report on its own. A metric that appears
 * twice in one file is rejected on every row it appears on: there is no way to
 * tell which of the values the unit meant.
 */
export function validateProgressRows(
  rows: ProgressRow[],
  unit: UnitCode,
  catalogue: PlanCatalogue,
): { accepted: ReportedProgress[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const candidates: ReportedProgress[] = [];
  for (const { rowNumber, cells } of rows) {
    const code = (cells.指标编码 ?? '').trim();
    const metric = catalogue.metric(code);
    const fail = (column: string, reason: string) => errors.push({ rowNumber, column, reason });
    if (!code) {
      fail('指标编码', '指标编码为空');
      continue;
    }
    if (!metric) {
      fail('指标编码', `未知指标编码 ${code}(${catalogue.year} 年计划中没有该指标)`);
      continue;
    }
    if (!metric.reporters.includes(unit)) {
      fail('指标编码', `指标 ${code} 不由${unitName(unit)}报送(由 ${metric.reporters.map(unitName).join('、')} 报送)`);
      continue;
    }
    const parsed = parseNumber(cells.累计完成值 ?? '');
    if (!parsed.ok) {
      fail('累计完成值', parsed.reason);
      continue;
    }
    const value = parsed.value;
    if (value < 0) {
      fail('累计完成值', '累计完成值不能为负数');
      continue;
    }
    if (metric.kind === 'rate' && value > 100) {
      fail('累计完成值', '比率类指标按 0–100 填写,不能超过 100');
      continue;
    }
    if (metric.kind === 'milestone' && value !== 0 && value !== 1) {
      fail('累计完成值', '里程碑指标只能填 1(已完成)或 0(未完成)');
      continue;
    }
    if (metric.kind === 'count' && !Number.isInteger(value)) {
      fail('累计完成值', '计数类指标必须是整数');
      continue;
    }
    candidates.push({ metricCode: code, value, rowNumber });
  }
  const rowsByCode = new Map<string, number[]>();
  for (const c of candidates) rowsByCode.set(c.metricCode, [...(rowsByCode.get(c.metricCode) ?? []), c.rowNumber]);
  const accepted: ReportedProgress[] = [];
  for (const c of candidates) {
    const rowNumbers = rowsByCode.get(c.metricCode)!;
    if (rowNumbers.length > 1) {
      errors.push({
        rowNumber: c.rowNumber,
        column: '指标编码',
        reason: `指标 ${c.metricCode} 在本文件中重复出现(第 ${rowNumbers.join('、')} 行),无法确定以哪一行为准`,
      });
    } else accepted.push(c);
  }
  errors.sort((a, b) => a.rowNumber - b.rowNumber);
  return { accepted, errors };
}
