import { validateCitizenId, type CitizenId } from '../citizen-id.ts';
import { isBlank, parseDate, parseEnum, parseNumber } from '../tabular/cells.ts';
import { assistanceCategorySchema, disabilityGradeSchema } from '../monitoring/rule-config.ts';
import { fixedValuesOf, headerColumns, type ColumnDefinition } from '../tabular/column-definition.ts';
import type { RowError } from '../upload-summary.ts';
import type { UploadKind } from '../events.ts';

/**
 * Row validation for the roster, visit and departmental uploads: each row on
 * its own, every bad cell reported with its column and a Chinese reason that
 * never repeats the cell (it may be personal data). A valid row carries the
 * citizen ID as a checked `CitizenId`, to be hashed at once by the caller.
 */

export const EMPLOYMENT_EVENT_TYPES = ['失业登记', '停止缴费', '就业登记'] as const;
export const HOUSEHOLD_EVENT_TYPES = ['死亡', '迁出', '迁入'] as const;
export const ASSET_TYPES = ['机动车', '工商登记', '不动产', '金融资产'] as const;

export type DatasetKind = Exclude<UploadKind, 'progress'>;

const CITIZEN_ID: ColumnDefinition = { name: '身份证号', required: true, format: 'citizen-id', description: '本人的公民身份号码' };
const required = (name: string, format: ColumnDefinition['format'], description: string, values?: readonly string[]): ColumnDefinition => ({
  name,
  required: true,
  format,
  description,
  ...(values ? { values } : {}),
});
const optional = (name: string, format: ColumnDefinition['format'], description: string): ColumnDefinition => ({
  name,
  required: false,
  format,
  description,
});

/**
 * Every column of every dataset kind (CONTRACT "Upload files"), with its format and fixed
 * values: the header check, the row validators below and the Excel templates all read these.
 */
export const DATASET_COLUMN_DEFINITIONS: Record<DatasetKind, readonly ColumnDefinition[]> = {
  roster: [
    CITIZEN_ID,
    required('姓名', 'text', '本人姓名(只核对是否填写,不保存)'),
    required('户编号', 'text', '本单位内的家庭编号,同一户各成员相同;不能填写身份证号'),
    required('救助类别', 'choice', '本户当前的救助类别', assistanceCategorySchema.options),
    required('家庭人口数', 'integer', '共同生活的家庭成员人数,至少为 1'),
    required('家庭月人均收入', 'amount', '家庭月人均收入(元)'),
    optional('与户主关系', 'text', '如 本人、配偶、子女'),
    optional('乡镇街道', 'text', '所在乡镇(街道)'),
    optional('联系电话', 'text', '联系电话(只核对格式,不保存)'),
  ],
  visits: [
    CITIZEN_ID,
    required('探访日期', 'date', '探访的日期'),
    optional('探访人', 'text', '探访人姓名或工号'),
    optional('情况', 'text', '探访情况;不要填写身份证号或手机号'),
  ],
  medical: [
    CITIZEN_ID,
    required('结算日期', 'date', '医保结算日期'),
    required('医疗总费用', 'amount', '本次结算的医疗总费用(元)'),
    required('个人自付金额', 'amount', '本次结算的个人自付金额(元),不大于医疗总费用'),
    optional('医院', 'text', '就诊医院'),
    optional('病种', 'text', '病种'),
  ],
  employment: [
    CITIZEN_ID,
    required('事件类型', 'choice', '人社登记的事件', EMPLOYMENT_EVENT_TYPES),
    required('事件日期', 'date', '事件发生日期'),
  ],
  household: [
    CITIZEN_ID,
    required('事件类型', 'choice', '公安户籍的事件', HOUSEHOLD_EVENT_TYPES),
    required('事件日期', 'date', '事件发生日期'),
  ],
  disability: [
    CITIZEN_ID,
    required('残疾类别', 'text', '残疾类别,如 肢体、视力、听力、言语、智力、精神、多重'),
    required('残疾等级', 'choice', '残疾证上的等级', disabilityGradeSchema.options),
    required('发证日期', 'date', '残疾证发证日期'),
  ],
  assets: [
    CITIZEN_ID,
    required('资产类型', 'choice', '登记的资产类型', ASSET_TYPES),
    required('登记日期', 'date', '资产登记日期'),
    optional('估值', 'amount', '资产估值(元);机动车按此判断是否达到预警金额'),
    optional('描述', 'text', '资产说明;不要填写身份证号或手机号'),
  ],
};

/** The header check of each kind (required and optional column names), derived from the definitions. */
export const DATASET_COLUMNS = Object.fromEntries(
  Object.entries(DATASET_COLUMN_DEFINITIONS).map(([kind, definitions]) => [kind, headerColumns(definitions)]),
) as Record<DatasetKind, { required: string[]; optional: string[] }>;

export interface RosterRowValue {
  id: CitizenId;
  householdNo: string;
  category: (typeof assistanceCategorySchema.options)[number];
  householdSize: number;
  monthlyIncomePerCapita: number;
  relation?: string;
}
export interface VisitRowValue {
  id: CitizenId;
  date: string;
}
export interface MedicalRowValue {
  id: CitizenId;
  date: string;
  total: number;
  selfPay: number;
}
export interface EmploymentRowValue {
  id: CitizenId;
  type: (typeof EMPLOYMENT_EVENT_TYPES)[number];
  date: string;
}
export interface HouseholdRowValue {
  id: CitizenId;
  type: (typeof HOUSEHOLD_EVENT_TYPES)[number];
  date: string;
}
export interface DisabilityRowValue {
  id: CitizenId;
  category: string;
  grade: (typeof disabilityGradeSchema.options)[number];
  issuedOn: string;
}
export interface AssetRowValue {
  id: CitizenId;
  type: (typeof ASSET_TYPES)[number];
  registeredOn: string;
  valuation?: number;
}

export interface DatasetRowValues {
  roster: RosterRowValue;
  visits: VisitRowValue;
  medical: MedicalRowValue;
  employment: EmploymentRowValue;
  household: HouseholdRowValue;
  disability: DisabilityRowValue;
  assets: AssetRowValue;
}

export type RowCheck<T> = { ok: true; value: T } | { ok: false; errors: RowError[] };

/** Collects cell results for one row; `done` yields the value only if every cell was good. */
class RowReader {
  readonly errors: RowError[] = [];
  constructor(
    private readonly rowNumber: number,
    private readonly cells: Record<string, string>,
    private readonly latestDate: string,
  ) {}

  private fail(column: string, reason: string): undefined {
    this.errors.push({ rowNumber: this.rowNumber, column, reason });
    return undefined;
  }
  text(column: string): string | undefined {
    const t = (this.cells[column] ?? '').trim();
    return t ? t : this.fail(column, '不能为空');
  }
  optionalText(column: string): string | undefined {
    const t = (this.cells[column] ?? '').trim();
    return t || undefined;
  }
  /** 户编号 becomes part of the household's reference: it must not be an ID number. */
  householdNo(): string | undefined {
    const value = this.text('户编号');
    return value && /^\d{17}[\dXx]$/.test(value) ? this.fail('户编号', '户编号不能填写身份证号') : value;
  }
  citizenId(column = '身份证号'): CitizenId | undefined {
    const result = validateCitizenId(this.cells[column] ?? '', { asOf: this.latestDate });
    return result.ok ? result.id : this.fail(column, result.reason);
  }
  amount(column: string): number | undefined {
    const n = parseNumber(this.cells[column] ?? '');
    if (!n.ok) return this.fail(column, n.reason);
    return n.value < 0 ? this.fail(column, '不能为负数') : n.value;
  }
  optionalAmount(column: string): number | undefined {
    return isBlank(this.cells[column]) ? undefined : this.amount(column);
  }
  integer(column: string, min: number): number | undefined {
    const n = parseNumber(this.cells[column] ?? '');
    if (!n.ok) return this.fail(column, n.reason);
    if (!Number.isInteger(n.value)) return this.fail(column, '必须是整数');
    return n.value < min ? this.fail(column, `不能小于 ${min}`) : n.value;
  }
  date(column: string): string | undefined {
    const d = parseDate(this.cells[column] ?? '');
    if (!d.ok) return this.fail(column, d.reason);
    return d.value > this.latestDate ? this.fail(column, `日期晚于数据期间末 ${this.latestDate}`) : d.value;
  }
  oneOf<T extends string>(column: string, allowed: readonly T[]): T | undefined {
    const v = parseEnum(this.cells[column] ?? '', allowed);
    return v.ok ? v.value : this.fail(column, v.reason);
  }
  done<T>(value: () => T): RowCheck<T> {
    return this.errors.length ? { ok: false, errors: this.errors } : { ok: true, value: value() };
  }
}

/** A choice column's values as its definition lists them: the template's drop-down offers the same. */
function fixedValues(kind: DatasetKind, column: string): readonly string[] {
  return fixedValuesOf(DATASET_COLUMN_DEFINITIONS[kind], column);
}

type RowValidator<T> = (r: RowReader) => RowCheck<T>;

const VALIDATORS: { [K in DatasetKind]: RowValidator<DatasetRowValues[K]> } = {
  roster: (r) => {
    const id = r.citizenId();
    r.text('姓名'); // required, checked, never kept
    const householdNo = r.householdNo();
    const category = r.oneOf('救助类别', fixedValues('roster', '救助类别')) as RosterRowValue['category'] | undefined;
    const householdSize = r.integer('家庭人口数', 1);
    const monthlyIncomePerCapita = r.amount('家庭月人均收入');
    const relation = r.optionalText('与户主关系');
    return r.done(() => ({
      id: id!,
      householdNo: householdNo!,
      category: category!,
      householdSize: householdSize!,
      monthlyIncomePerCapita: monthlyIncomePerCapita!,
      ...(relation ? { relation } : {}),
    }));
  },
  visits: (r) => {
    const id = r.citizenId();
    const date = r.date('探访日期');
    return r.done(() => ({ id: id!, date: date! }));
  },
  medical: (r) => {
    const id = r.citizenId();
    const date = r.date('结算日期');
    const total = r.amount('医疗总费用');
    const selfPay = r.amount('个人自付金额');
    if (total !== undefined && selfPay !== undefined && selfPay > total)
      r.errors.push({ rowNumber: 0, column: '个人自付金额', reason: '个人自付金额不能大于医疗总费用' });
    return r.done(() => ({ id: id!, date: date!, total: total!, selfPay: selfPay! }));
  },
  employment: (r) => {
    const id = r.citizenId();
    const type = r.oneOf('事件类型', fixedValues('employment', '事件类型')) as EmploymentRowValue['type'] | undefined;
    const date = r.date('事件日期');
    return r.done(() => ({ id: id!, type: type!, date: date! }));
  },
  household: (r) => {
    const id = r.citizenId();
    const type = r.oneOf('事件类型', fixedValues('household', '事件类型')) as HouseholdRowValue['type'] | undefined;
    const date = r.date('事件日期');
    return r.done(() => ({ id: id!, type: type!, date: date! }));
  },
  disability: (r) => {
    const id = r.citizenId();
    const category = r.text('残疾类别');
    const grade = r.oneOf('残疾等级', fixedValues('disability', '残疾等级')) as DisabilityRowValue['grade'] | undefined;
    const issuedOn = r.date('发证日期');
    return r.done(() => ({ id: id!, category: category!, grade: grade!, issuedOn: issuedOn! }));
  },
  assets: (r) => {
    const id = r.citizenId();
    const type = r.oneOf('资产类型', fixedValues('assets', '资产类型')) as AssetRowValue['type'] | undefined;
    const registeredOn = r.date('登记日期');
    const valuation = r.optionalAmount('估值');
    return r.done(() => ({ id: id!, type: type!, registeredOn: registeredOn!, ...(valuation !== undefined ? { valuation } : {}) }));
  },
};

/**
 * Validates one row of a dataset upload. `latestDate` is the end of the
 * upload's period: no record may be dated after it.
 */
export function validateDatasetRow<K extends DatasetKind>(
  kind: K,
  row: { rowNumber: number; cells: Record<string, string> },
  latestDate: string,
): RowCheck<DatasetRowValues[K]> {
  const reader = new RowReader(row.rowNumber, row.cells, latestDate);
  const result = VALIDATORS[kind](reader) as RowCheck<DatasetRowValues[K]>;
  if (!result.ok) for (const e of result.errors) e.rowNumber = row.rowNumber;
  return result;
}
