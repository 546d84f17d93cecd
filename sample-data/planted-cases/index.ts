import type { CitizenId } from '../../shared/domain/citizen-id.ts';
import { personRef, type PersonRefKey } from '../../shared/domain/person-ref.ts';
import { personHouseholdRef } from '../../shared/domain/monitoring/household-facts.ts';
import { RULE_IDS, type RuleId } from '../../shared/domain/monitoring/rule-ids.ts';
import { ruleSetFor } from '../../shared/domain/monitoring/rule-sets.ts';
import type { RuleSet } from '../../shared/domain/monitoring/rule-config.ts';
import { periodYear } from '../../shared/domain/period.ts';
import { DISTRICT_UNIT_CODES, type UnitCode } from '../../shared/domain/units.ts';
import { CitizenIdFactory } from '../people.ts';
import { deriveRandom } from '../prng.ts';
import { Planter, type PlantedCase, type PlantedCases, type PlantRuleCases } from './planter.ts';
import { plantIncomeBelowStandard } from './income-below-standard.ts';
import { plantEdgeOfStandard } from './edge-of-standard.ts';
import { plantMedicalBurden } from './medical-burden.ts';
import { plantCatastrophicMedical } from './catastrophic-medical.ts';
import { plantDeathInHousehold } from './death-in-household.ts';
import { plantNewSevereDisability } from './new-severe-disability.ts';
import { plantUnemployment } from './unemployment.ts';
import { plantAssetVehicle } from './asset-vehicle.ts';
import { plantAssetBusiness } from './asset-business.ts';
import { plantAssetProperty } from './asset-property.ts';
import { plantVisitOverdue } from './visit-overdue.ts';
import { plantDuplicatePerson } from './duplicate-person.ts';

export type { PlantedCase, PlantedCases, PlantRuleCases } from './planter.ts';

/**
 * Planted cases: for each rule (one module per rule id), households (or people) that must
 * trigger exactly that rule, and near-misses just on the other side of a
 * threshold that must trigger nothing at all. Judged as of the period's end.
 * Planted people use ID sequence codes 900–999, so they never collide with
 * background people; their 户编号 are `{unit}-P0001`….
 */

export interface PlantOptions {
  seed: number | string;
  period: string;
  /** Units to spread the cases over (default: the seven districts); duplicate-person needs two. */
  units?: readonly UnitCode[];
  ruleSet?: RuleSet;
  ids?: CitizenIdFactory;
}

/** The householdRef an alert for this case carries: rostered → unit:户编号, otherwise `person:` + personRef prefix. */
export function expectedHouseholdRef(plantedCase: PlantedCase, key: PersonRefKey): string {
  if (plantedCase.householdRef) return plantedCase.householdRef;
  return personHouseholdRef(personRef(plantedCase.citizenId as CitizenId, key));
}

/** Every rule's planted cases: a rule without its cases does not compile. */
export const PLANTED_CASES = {
  'income-below-standard': plantIncomeBelowStandard,
  'edge-of-standard': plantEdgeOfStandard,
  'medical-burden': plantMedicalBurden,
  'catastrophic-medical': plantCatastrophicMedical,
  'death-in-household': plantDeathInHousehold,
  'new-severe-disability': plantNewSevereDisability,
  unemployment: plantUnemployment,
  'asset-vehicle': plantAssetVehicle,
  'asset-business': plantAssetBusiness,
  'asset-property': plantAssetProperty,
  'visit-overdue': plantVisitOverdue,
  'duplicate-person': plantDuplicatePerson,
} satisfies Record<RuleId, PlantRuleCases>;

export function plantCases(options: PlantOptions): PlantedCases {
  const ruleSet = options.ruleSet ?? ruleSetFor(periodYear(options.period));
  const units = options.units ?? DISTRICT_UNIT_CODES;
  if (units.length < 2) throw new Error('埋点数据至少需要两个单位（跨地区重复在册）');
  const p = new Planter(
    deriveRandom(options.seed, 'planted'),
    options.ids ?? new CitizenIdFactory(deriveRandom(options.seed, 'planted-ids')),
    units,
    ruleSet,
    options.period,
  );
  // In contract order: the cases share one random sequence, so the order fixes the data.
  for (const id of RULE_IDS) PLANTED_CASES[id](p);
  return { period: options.period, asOf: p.asOf, rows: p.rows, expected: p.expected, nearMisses: p.nearMisses };
}
