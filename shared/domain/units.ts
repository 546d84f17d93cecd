import { z } from 'zod';

/** Reporting units (填报单位) of the contract. 330600 is the city bureau itself. */
export const REPORTING_UNITS = [
  { code: '330600', name: '绍兴市民政局', role: 'city' },
  { code: '330602', name: '越城区', role: 'district' },
  { code: '330603', name: '柯桥区', role: 'district' },
  { code: '330604', name: '上虞区', role: 'district' },
  { code: '330624', name: '新昌县', role: 'district' },
  { code: '330681', name: '诸暨市', role: 'district' },
  { code: '330683', name: '嵊州市', role: 'district' },
  // The New Area has no division code of its own: 330699 is the platform's code for it.
  { code: '330699', name: '滨海新区社会工作局', role: 'district' },
] as const;

export type UnitCode = (typeof REPORTING_UNITS)[number]['code'];
export const CITY_UNIT: UnitCode = '330600';
export const UNIT_CODES = REPORTING_UNITS.map((u) => u.code) as [UnitCode, ...UnitCode[]];
export const DISTRICT_UNIT_CODES = REPORTING_UNITS.filter((u) => u.role === 'district').map((u) => u.code) as UnitCode[];
export const unitCodeSchema = z.enum(UNIT_CODES, { error: '填报单位编码无效' });

export function unitName(code: string): string {
  return REPORTING_UNITS.find((u) => u.code === code)?.name ?? code;
}

export function isUnitCode(code: string): code is UnitCode {
  return (UNIT_CODES as string[]).includes(code);
}
