import { CITY_UNIT, DISTRICT_UNIT_CODES, unitName, type UnitCode } from '../../shared/domain/units.ts';

/** `city`: the whole city's row of a metric (sum, mean or minimum of the units, by the metric's scope). */
export type ProgressUnit = UnitCode | 'city';

/** Short column titles for tables (the dashboard, the CLI). */
export const UNIT_SHORT_NAMES: Record<ProgressUnit, string> = {
  '330602': '越城',
  '330603': '柯桥',
  '330604': '上虞',
  '330624': '新昌',
  '330681': '诸暨',
  '330683': '嵊州',
  '330699': '滨海',
  '330600': '市局',
  city: '全市',
};

export function progressUnitName(unit: ProgressUnit): string {
  return unit === 'city' ? '全市' : unitName(unit);
}

/** The columns of a progress matrix: the districts, the city bureau, the city; or one unit and the city. */
export function unitColumns(only?: UnitCode) {
  const codes: ProgressUnit[] = only ? [only, 'city'] : [...DISTRICT_UNIT_CODES, CITY_UNIT, 'city'];
  return codes.map((code) => ({ code, name: progressUnitName(code), shortName: UNIT_SHORT_NAMES[code] }));
}
