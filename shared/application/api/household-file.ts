import { canAccessUnit, type AccessClaims } from '../../domain/access-token.ts';
import { householdFileOf, type HouseholdFile, type MemberFacts } from '../../domain/households/household-file.ts';
import type {
  AssetRecord,
  DisabilityCertificate,
  EmploymentEvent,
  HouseholdRegistryEvent,
  VisitRecord,
} from '../../domain/monitoring/household-facts.ts';
import { isUnitCode, unitName, type UnitCode } from '../../domain/units.ts';
import { householdAlerts, type StoredAlert } from '../../adapters/alert-store.ts';
import { loadFacts, recordsOf, type FactKind } from '../../adapters/person-facts-store.ts';
import { householdRosterHistory } from '../../adapters/roster-history-store.ts';
import { currentRosterIndex } from '../../adapters/current-roster-index.ts';
import { medicalClaimsOf, type MonthlyMedical } from '../alerts/monitoring-facts.ts';

/** Every kind of stored fact: the household file shows them all. */
const ALL_FACT_KINDS: readonly FactKind[] = ['medical', 'employment', 'household', 'disability', 'assets', 'visits'];

/** No household with this reference (HTTP 404). */
export class HouseholdNotFound extends Error {
  constructor() {
    super('没有这个家庭的档案：请检查户的编号（形如 330602:H100）');
    this.name = 'HouseholdNotFound';
  }
}

/** A district asking for another unit's household (HTTP 403). */
export class HouseholdAccessDenied extends Error {
  constructor(unit: string) {
    super(`无权查看${unitName(unit)}(${unit})的家庭档案:区县令牌只能访问本单位`);
    this.name = 'HouseholdAccessDenied';
  }
}

/** A rostered household's reference is `{unit}:{户编号}`; `person:…` is someone on no roster (主动发现). */
function unitOfRef(householdRef: string): UnitCode | undefined {
  const prefix = householdRef.split(':')[0];
  return isUnitCode(prefix) ? prefix : undefined;
}

/**
 * The household file, for a caller allowed to see the household's unit. The
 * unit is checked before anything is read: a district learns nothing about
 * another unit's households, not even whether they exist.
 */
export async function householdFileFor(
  householdRef: string,
  claims: AccessClaims,
  today: string,
): Promise<{ file: Omit<HouseholdFile, 'alerts'>; alerts: StoredAlert[] }> {
  const refUnit = unitOfRef(householdRef);
  if (refUnit && !canAccessUnit(claims, refUnit)) throw new HouseholdAccessDenied(refUnit);
  if (!refUnit && !householdRef.startsWith('person:')) throw new HouseholdNotFound();
  const [alerts, history, index] = await Promise.all([
    householdAlerts(householdRef),
    refUnit ? householdRosterHistory(householdRef) : Promise.resolve([]),
    refUnit ? currentRosterIndex(refUnit) : Promise.resolve(undefined),
  ]);
  const unit = refUnit ?? alerts[0]?.unit;
  if (!unit) throw new HouseholdNotFound();
  if (!canAccessUnit(claims, unit)) throw new HouseholdAccessDenied(unit);
  const householdNo = refUnit ? householdRef.slice(refUnit.length + 1) : null;
  const current = index && householdNo !== null && index.unit === unit ? index.household(householdNo) : [];
  if (current.length === 0 && history.length === 0 && alerts.length === 0) throw new HouseholdNotFound();

  const masked = new Map<string, string>();
  for (const e of [...history, ...current]) masked.set(e.personRef, e.maskedId);
  const stored = await loadFacts(masked.keys(), ALL_FACT_KINDS);
  const facts = new Map<string, MemberFacts>();
  for (const [personRef, maskedId] of masked) {
    const s = stored.get(personRef);
    facts.set(personRef, {
      maskedId,
      medical: medicalClaimsOf(personRef, recordsOf<MonthlyMedical>(s, 'medical')),
      employment: recordsOf<EmploymentEvent>(s, 'employment'),
      householdRegistry: recordsOf<HouseholdRegistryEvent>(s, 'household'),
      disability: recordsOf<DisabilityCertificate>(s, 'disability'),
      assets: recordsOf<AssetRecord>(s, 'assets'),
      visits: recordsOf<VisitRecord>(s, 'visits'),
    });
  }
  const file = householdFileOf({
    householdRef,
    unit,
    householdNo,
    rosterPeriod: index?.period ?? null,
    current,
    history,
    facts,
    today,
  });
  return { file, alerts };
}
