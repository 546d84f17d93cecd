import { availablePlanYears, hasPlan, loadPlan, type PlanCatalogue } from '../../shared/domain/plan/catalogue.ts';
import { periodOf, shanghaiDate, type Period } from '../../shared/domain/period.ts';
import { ApiError } from './api-error.ts';

/**
 * The period a request means when it names none: this month (Asia/Shanghai) when
 * its year has a plan, otherwise the nearest planned month (December of the last
 * plan year before today, or January of the first one after it).
 */
export function currentPlanPeriod(now: Date): Period {
  const period = periodOf(shanghaiDate(now));
  const year = Number(period.slice(0, 4));
  if (hasPlan(year)) return period;
  const years = availablePlanYears().sort((a, b) => a - b);
  const earlier = years.filter((y) => y < year);
  return earlier.length ? `${earlier[earlier.length - 1]}-12` : `${years[0]}-01`;
}

/** The catalogue of a year, or a 404 saying there is no plan for it. */
export function planOfYear(year: number): PlanCatalogue {
  if (!hasPlan(year)) throw ApiError.notFound(`没有 ${year} 年度的工作计划(现有: ${availablePlanYears().join('、')})`);
  return loadPlan(year);
}
