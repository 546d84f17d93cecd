import type { UploadKind } from '../shared/domain/events.ts';
import type { UnitCode } from '../shared/domain/units.ts';

/** Upload file columns as in the contract (required first, then optional). Every cell is text, as in a CSV. */
export const ROSTER_COLUMNS = [
  '身份证号',
  '姓名',
  '户编号',
  '救助类别',
  '家庭人口数',
  '家庭月人均收入',
  '与户主关系',
  '乡镇街道',
  '联系电话',
] as const;
export const VISIT_COLUMNS = ['身份证号', '探访日期', '探访人', '情况'] as const;
export const MEDICAL_COLUMNS = ['身份证号', '结算日期', '医疗总费用', '个人自付金额', '医院', '病种'] as const;
export const EMPLOYMENT_COLUMNS = ['身份证号', '事件类型', '事件日期'] as const;
export const HOUSEHOLD_COLUMNS = ['身份证号', '事件类型', '事件日期'] as const;
export const DISABILITY_COLUMNS = ['身份证号', '残疾类别', '残疾等级', '发证日期'] as const;
export const ASSET_COLUMNS = ['身份证号', '资产类型', '登记日期', '估值', '描述'] as const;

type Row<C extends readonly string[]> = Record<C[number], string>;
export type RosterRow = Row<typeof ROSTER_COLUMNS>;
export type VisitRow = Row<typeof VISIT_COLUMNS>;
export type MedicalRow = Row<typeof MEDICAL_COLUMNS>;
export type EmploymentRow = Row<typeof EMPLOYMENT_COLUMNS>;
export type HouseholdRow = Row<typeof HOUSEHOLD_COLUMNS>;
export type DisabilityRow = Row<typeof DISABILITY_COLUMNS>;
export type AssetRow = Row<typeof ASSET_COLUMNS>;

/** The generated dataset kinds (progress reports are generated elsewhere). */
export type DatasetKind = Exclude<UploadKind, 'progress'>;

export interface DatasetRows {
  roster: RosterRow;
  visits: VisitRow;
  medical: MedicalRow;
  employment: EmploymentRow;
  household: HouseholdRow;
  disability: DisabilityRow;
  assets: AssetRow;
}

export const DATASET_COLUMNS: { [K in DatasetKind]: readonly (keyof DatasetRows[K] & string)[] } = {
  roster: ROSTER_COLUMNS,
  visits: VISIT_COLUMNS,
  medical: MEDICAL_COLUMNS,
  employment: EMPLOYMENT_COLUMNS,
  household: HOUSEHOLD_COLUMNS,
  disability: DISABILITY_COLUMNS,
  assets: ASSET_COLUMNS,
};

/** A generated row with the unit that uploads it (the unit is the upload key, not a column). */
export interface UnitRow<T> {
  unit: UnitCode;
  row: T;
}

/** Rows of every kind, each tagged with its uploading unit. */
export type DatasetRowSet = { [K in DatasetKind]: UnitRow<DatasetRows[K]>[] };

export function emptyRowSet(): DatasetRowSet {
  return { roster: [], visits: [], medical: [], employment: [], household: [], disability: [], assets: [] };
}

/** One file ready to upload as `uploads/{unit}/{kind}/{period}/{fileName}`. */
export interface UploadFile<K extends DatasetKind = DatasetKind> {
  unit: UnitCode;
  kind: K;
  period: string;
  fileName: string;
  columns: readonly string[];
  rows: DatasetRows[K][];
}
