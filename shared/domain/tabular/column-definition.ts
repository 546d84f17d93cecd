/**
 * One column of an upload file as the ingester validates it and as the Excel template
 * explains it: the same definition is read by both, so a template can only offer what
 * the ingester accepts.
 */
export type ColumnFormat = 'citizen-id' | 'text' | 'date' | 'amount' | 'integer' | 'number' | 'choice';

export interface ColumnDefinition {
  /** The header exactly as the ingester matches it (a required column is marked by style, never by renaming). */
  readonly name: string;
  readonly required: boolean;
  readonly format: ColumnFormat;
  /** What to write, in Chinese, for the template's explanation sheet. */
  readonly description: string;
  /** The fixed values of a `choice` column. */
  readonly values?: readonly string[];
  /** A `choice` column whose values come from the plan catalogue of the upload's year (指标编码). */
  readonly valuesFrom?: 'plan-metric-codes';
}

/** How each format is written, for people filling in a file. */
export const COLUMN_FORMAT_LABELS: Record<ColumnFormat, string> = {
  'citizen-id': '18 位公民身份号码(末位可为 X,校验位须正确);请按文本填写',
  text: '文本',
  date: '日期:YYYY-MM-DD、YYYY/MM/DD 或 Excel 日期,不晚于数据期间末',
  amount: '金额(元),不小于 0,可带千分位',
  integer: '整数',
  number: '数字,可带千分位',
  choice: '从下拉列表中选择',
};

/** The `{required, optional}` header check (`checkColumns`) of a kind's definitions. */
export function headerColumns(definitions: readonly ColumnDefinition[]): { required: string[]; optional: string[] } {
  return {
    required: definitions.filter((d) => d.required).map((d) => d.name),
    optional: definitions.filter((d) => !d.required).map((d) => d.name),
  };
}

/** The fixed values of a choice column, for the validator (throws on a definition without them: a programming error). */
export function fixedValuesOf(definitions: readonly ColumnDefinition[], name: string): readonly string[] {
  const values = definitions.find((d) => d.name === name)?.values;
  if (!values) throw new Error(`column ${name} has no fixed values`);
  return values;
}
