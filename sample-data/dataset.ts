import type { UnitCode } from '../shared/domain/units.ts';
import type { RuleSet } from '../shared/domain/monitoring/rule-config.ts';
import { DATASET_COLUMNS, emptyRowSet, type DatasetKind, type DatasetRowSet, type UploadFile } from './columns.ts';
import { generateDepartmental } from './departmental.ts';
import { CitizenIdFactory } from './people.ts';
import { plantCases, type PlantedCase } from './planted-cases/index.ts';
import { deriveRandom } from './prng.ts';
import { generateRoster } from './roster.ts';

export interface DatasetOptions {
  seed: number | string;
  /** Background roster rows (planted cases come on top). */
  people: number;
  period: string;
  units?: readonly UnitCode[];
  ruleSet?: RuleSet;
  /** Leave out the planted cases (pure background, e.g. for the demo's later months). */
  plant?: boolean;
}

export interface GeneratedDataset {
  period: string;
  asOf: string;
  rows: DatasetRowSet;
  /** One file per unit and kind that has rows, ready to upload. */
  files: UploadFile[];
  expected: PlantedCase[];
  nearMisses: PlantedCase[];
}

const KINDS = Object.keys(DATASET_COLUMNS) as DatasetKind[];

/** Splits rows into per-unit upload files (`{kind}-{period}.csv`), roster first. */
export function toUploadFiles(rows: DatasetRowSet, period: string): UploadFile[] {
  const files: UploadFile[] = [];
  for (const kind of KINDS) {
    const byUnit = new Map<UnitCode, unknown[]>();
    for (const { unit, row } of rows[kind]) {
      const list = byUnit.get(unit);
      if (list) list.push(row);
      else byUnit.set(unit, [row]);
    }
    for (const unit of [...byUnit.keys()].sort()) {
      files.push({
        unit,
        kind,
        period,
        fileName: `${kind}-${period}.csv`,
        columns: DATASET_COLUMNS[kind],
        rows: byUnit.get(unit) as UploadFile['rows'],
      });
    }
  }
  return files;
}

/** A background roster with its departmental data, plus the planted cases, as upload files. */
export function generateDataset(options: DatasetOptions): GeneratedDataset {
  const ids = new CitizenIdFactory(deriveRandom(options.seed, 'ids'));
  const roster = generateRoster({
    seed: options.seed,
    people: options.people,
    period: options.period,
    units: options.units,
    ruleSet: options.ruleSet,
    ids,
  });
  const background = generateDepartmental({ seed: options.seed, roster, ids });
  const planted =
    options.plant === false
      ? undefined
      : plantCases({ seed: options.seed, period: options.period, units: options.units, ruleSet: options.ruleSet, ids });
  const rows = emptyRowSet();
  for (const kind of KINDS) {
    const own = kind === 'roster' ? roster.rows : background[kind];
    (rows[kind] as unknown[]).push(...own, ...(planted?.rows[kind] ?? []));
  }
  return {
    period: options.period,
    asOf: roster.asOf,
    rows,
    files: toUploadFiles(rows, options.period),
    expected: planted?.expected ?? [],
    nearMisses: planted?.nearMisses ?? [],
  };
}
