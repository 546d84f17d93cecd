import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getHeapStatistics } from 'node:v8';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { startPlatform } from '../local/platform.ts';
import type { InvocationReport } from '../local/lambda-runtime.ts';
import { dataPaths } from '../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../local/local-secrets.ts';
import { localS3Client } from '../local/storage-servers.ts';
import type { EventBridgeEnvelope } from '../local/event-envelope.ts';
import {
  CitizenIdFactory,
  csvChunks,
  deriveRandom,
  expectedHouseholdRef,
  generateRoster,
  medicalRowStream,
  MEDICAL_COLUMNS,
  plantCases,
  ROSTER_COLUMNS,
  toCsv,
  type MedicalRow,
  type RosterRow,
  type UnitRow,
} from '../sample-data/index.ts';
import { ruleSetAsOf, windowStart } from '../shared/domain/monitoring/index.ts';
import { PROVINCE_CODES } from '../shared/domain/citizen-id.ts';
import { periodEnd } from '../shared/domain/period.ts';
import { resultKeys, uploadKey } from '../shared/domain/upload-key.ts';
import { readJson } from '../shared/adapters/upload-files.ts';
import { ms, table } from './stats.ts';

/**
 * Issue 3's figures: a 5M-row 医保 extract against a 100k-person roster, from
 * PutObject to every alert stored, on the local platform in this process; and
 * DuckDB doing the same join and thresholds from the same CSV files, as a
 * yardstick for what a columnar engine does with the raw data.
 */
const SEED = 'bench-matching';
const PERIOD = '2024-12';
/** Share of the extract's rows that belong to people on a roster (the roster is ~2% of the population, and sicker). */
const ROSTERED_SHARE = 0.03;
/** A 医保 extract for the whole city comes from the city bureau. */
const MEDICAL_UNIT = '330600';

export async function run(): Promise<void> {
  const medicalRows = Number(process.env.BENCH_MEDICAL_ROWS ?? 5_000_000);
  const rosterPeople = Number(process.env.BENCH_ROSTER_PEOPLE ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'sn-bench-matching-'));
  const files = { medical: join(dir, 'medical.csv'), roster: join(dir, 'roster.csv') };
  const quiet = muteFunctionLogs();
  try {
    console.log(
      `\nMatching: ${medicalRows.toLocaleString('en-US')} medical rows against a ${rosterPeople.toLocaleString('en-US')}-person roster (period ${PERIOD}, ${availableParallelism()} CPUs)`,
    );
    // A 1 GB Lambda's Node bootstrap sets --max-old-space-size=922: run with NODE_OPTIONS="--max-old-space-size=922" to hold this whole process to it.
    console.log(
      `V8 heap limit of this process: ${Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024)} MiB (platform, storage servers, bus and matcher all share it)`,
    );
    const generated = await generate(medicalRows, rosterPeople, files);
    const ours = await runPlatform(join(dir, 'platform'), generated, files.medical, quiet);
    const duck = { light: await runDuckDb(files, false), validating: await runDuckDb(files, true) };
    report(medicalRows, generated, ours, duck);
    // BENCH_FAN_OUT=1: the same file through the medical fan-out (local Step Functions on the worker pool), beside it
    if (process.env.BENCH_FAN_OUT === '1')
      reportFanOut(medicalRows, ours, await runPlatform(join(dir, 'platform-fan-out'), generated, files.medical, quiet, true));
  } finally {
    quiet.restore();
    await rm(dir, { recursive: true, force: true });
  }
}

// ── data ──────────────────────────────────────────────────────────────────

interface Generated {
  rosterByUnit: Map<string, RosterRow[]>;
  planted: ReturnType<typeof plantCases>;
  medicalBytes: number;
  seconds: number;
}

/** The roster (with planted households) and the medical extract, streamed to a temp file. */
async function generate(rows: number, people: number, files: { medical: string; roster: string }): Promise<Generated> {
  const t0 = performance.now();
  const ids = new CitizenIdFactory(deriveRandom(SEED, 'ids'));
  const roster = generateRoster({ seed: SEED, people, period: PERIOD, ids });
  const planted = plantCases({ seed: SEED, period: PERIOD, ids });
  const rosterRows: UnitRow<RosterRow>[] = [...roster.rows, ...planted.rows.roster];
  const rosterByUnit = new Map<string, RosterRow[]>();
  for (const { unit, row } of rosterRows) {
    const rows = rosterByUnit.get(unit);
    if (rows) rows.push(row);
    else rosterByUnit.set(unit, [row]);
  }
  // DuckDB gets one roster file with the unit as a column (on the platform the unit is in the upload key).
  await writeCsv(
    files.roster,
    rosterRows.map(({ unit, row }) => ({ 单位: unit, ...row })),
    ['单位', ...ROSTER_COLUMNS],
  );

  const plantedMedical = planted.rows.medical.map((r) => r.row);
  const background = mixedMedicalRows(
    rows - plantedMedical.length,
    roster.members.map((m) => m.citizenId),
  );
  await writeCsv(files.medical, withPlanted(background, plantedMedical, rows), MEDICAL_COLUMNS);
  const { size } = await stat(files.medical);
  return { rosterByUnit, planted, medicalBytes: size, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Background claims: ROSTERED_SHARE of rows for (non-planted) roster members,
 * the rest for a pool of people on no roster (5 claims each on average).
 * Settlement dates are within the 360 days before the period's end.
 */
function* mixedMedicalRows(rows: number, rosterIds: readonly string[]): Generator<MedicalRow> {
  const rosteredRows = Math.round(rows * ROSTERED_SHARE);
  const rostered = medicalRowStream({ seed: SEED, rows: rosteredRows, period: PERIOD, citizenIds: rosterIds });
  const outsiders = medicalRowStream({
    seed: `${SEED}-outsiders`,
    rows: rows - rosteredRows,
    period: PERIOD,
    people: Math.ceil((rows - rosteredRows) / 5),
  });
  const mix = deriveRandom(SEED, 'mix');
  for (;;) {
    const next = (mix.chance(ROSTERED_SHARE) ? rostered.next() : outsiders.next()) as IteratorResult<MedicalRow>;
    if (!next.done) yield next.value;
    else {
      // one stream ran out: the other one finishes
      yield* rostered;
      yield* outsiders;
      return;
    }
  }
}

/** Spreads the planted rows evenly through the file. */
function* withPlanted(rows: Iterable<MedicalRow>, planted: MedicalRow[], total: number): Generator<MedicalRow> {
  const every = Math.max(1, Math.floor(total / (planted.length + 1)));
  let i = 0;
  for (const row of rows) {
    if (++i % every === 0 && planted.length > 0) yield planted.shift()!;
    yield row;
  }
  yield* planted;
}

async function writeCsv(file: string, rows: Iterable<Record<string, string>>, columns: readonly string[]): Promise<void> {
  await pipeline(Readable.from(csvChunks(rows, columns)), createWriteStream(file));
}

// ── ours: the local platform ──────────────────────────────────────────────

interface OurRun {
  rosterSeconds: number;
  putSeconds: number;
  summarySeconds: number;
  idleSeconds: number;
  matched: MatchedLine;
  rosterPhases: RosterLine[];
  rosterAlerts: number;
  /** The REPORT of each function invocation during the medical upload. */
  reports: InvocationReport[];
  peakRssMb: number;
  peakHeapMb: number;
  baseRssMb: number;
  summary: { status: string; rowsTotal: number; rowsRejected: number; warnings: string[] };
  counts: AlertCounts;
  plantedOk: { missed: string[]; falseAlarms: string[] };
}

async function runPlatform(dataDir: string, generated: Generated, medicalFile: string, logs: MutedLogs, fanOut = false): Promise<OurRun> {
  const processed = new Map<string, () => void>();
  const raised: Array<{ ruleId: string; householdRef: string }> = [];
  const reports: InvocationReport[] = [];
  const platform = await startPlatform({
    dataDir,
    onInvocation: (r) => reports.push(r),
    // BENCH_MATCH_MEMORY_MB: the matching function's memory, as a stage's functionMemoryMb sets it (default: the routing table's)
    ...(process.env.BENCH_MATCH_MEMORY_MB ? { functionMemoryMb: { 'match-dataset': Number(process.env.BENCH_MATCH_MEMORY_MB) } } : {}),
    apiPort: 0,
    clockDate: '2025-01-02',
    // every medical file goes to the fan-out; range size and partition count from BENCH_FAN_OUT_RANGE_MB / _PARTITIONS, else the spec's;
    // the single-path run never fans out, whatever the file's size (its figures stay comparable with the earlier runs)
    ...(fanOut
      ? {
          fanOut: {
            aboveBytes: 0,
            rangeBytes: process.env.BENCH_FAN_OUT_RANGE_MB ? Number(process.env.BENCH_FAN_OUT_RANGE_MB) * 1024 * 1024 : undefined,
            partitions: process.env.BENCH_FAN_OUT_PARTITIONS ? Number(process.env.BENCH_FAN_OUT_PARTITIONS) : undefined,
          },
        }
      : { fanOut: { aboveBytes: Number.MAX_SAFE_INTEGER } }),
    onEvent: (e: EventBridgeEnvelope) => {
      const detail = e.detail as { key?: string; ruleId?: string; householdRef?: string };
      if (e['detail-type'] === 'Upload Processed') processed.get(detail.key!)?.();
      if (e['detail-type'] === 'Monitoring Alert Raised') raised.push({ ruleId: detail.ruleId!, householdRef: detail.householdRef! });
    },
  });
  const s3 = localS3Client(platform.endpoints.s3, platform.endpoints);
  const bucket = platform.endpoints.uploadsBucket;
  /** Resolves `stored` when S3 has the bytes, `processed` when "Upload Processed" for the key is on the bus. */
  const put = (key: string, body: string | Readable, length?: number) => {
    const processedEvent = new Promise<void>((resolve) => processed.set(key, resolve));
    const stored = s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: length }));
    return { stored, processed: stored.then(() => processedEvent) };
  };
  try {
    // The roster snapshots go through the roster ingester, as the districts upload them at the month's end: at once
    // (each upload its own invocation, as on Lambda; the duplicate check reads the other units' indexes after writing its own).
    const rosterFiles = [...generated.rosterByUnit].map(([unit, rows]) => [unit, toCsv(rows, ROSTER_COLUMNS)] as const);
    let t0 = performance.now();
    await Promise.all(rosterFiles.map(([unit, body]) => put(uploadKey(unit, 'roster', PERIOD, `名册-${PERIOD}.csv`), body).processed));
    await platform.bus.whenIdle();
    const rosterSeconds = (performance.now() - t0) / 1000;
    const rosterAlerts = raised.length;
    raised.length = 0;
    reports.length = 0;

    if (!fanOut && generated.medicalBytes > Number(process.env.MAX_UPLOAD_BYTES ?? 512 * 1024 * 1024))
      throw new Error(`medical file ${generated.medicalBytes} bytes is over MAX_UPLOAD_BYTES`);
    const key = uploadKey(MEDICAL_UNIT, 'medical', PERIOD, `医保结算-${PERIOD}.csv`);
    global.gc?.();
    const memory = sampleMemory();
    t0 = performance.now();
    const upload = put(key, createReadStream(medicalFile), generated.medicalBytes);
    await upload.stored;
    const putSeconds = (performance.now() - t0) / 1000;
    await upload.processed; // "Upload Processed" is put on the bus after summary.json is written
    const summarySeconds = (performance.now() - t0) / 1000;
    await platform.stepFunctions.whenIdle(); // (no execution on the single path)
    await platform.bus.whenIdle();
    const idleSeconds = (performance.now() - t0) / 1000;
    const peak = memory.stop();

    const summary = await readJson<OurRun['summary']>(resultKeys(key).summaryKey, bucket);
    const hashKey = JSON.parse(await readFile(dataPaths(dataDir).secretsFile, 'utf8'))[LOCAL_SECRET_IDS.idHashKey] as string;
    return {
      rosterSeconds,
      putSeconds,
      summarySeconds,
      idleSeconds,
      matched: logs.matched(),
      rosterPhases: logs.rosters(),
      rosterAlerts,
      reports,
      ...peak,
      summary: summary!,
      counts: countOurs(raised),
      plantedOk: checkPlanted(generated.planted, raised, hashKey),
    };
  } finally {
    s3.destroy();
    await platform.close();
  }
}

function countOurs(raised: Array<{ ruleId: string; householdRef: string }>): AlertCounts {
  const of = (rule: string, outsiders: boolean) =>
    raised.filter((a) => a.ruleId === rule && a.householdRef.startsWith('person:') === outsiders).length;
  return {
    medicalBurden: of('medical-burden', false),
    catastrophicRostered: of('catastrophic-medical', false),
    catastrophicOutsiders: of('catastrophic-medical', true),
  };
}

/** Every planted medical case fires (exactly its rule), no planted near-miss fires. */
function checkPlanted(
  planted: Generated['planted'],
  raised: Array<{ ruleId: string; householdRef: string }>,
  hashKey: string,
): OurRun['plantedOk'] {
  const medical = (c: { ruleId: string }) => c.ruleId === 'medical-burden' || c.ruleId === 'catastrophic-medical';
  const rulesOf = (household: string) => raised.filter((a) => a.householdRef === household).map((a) => a.ruleId);
  return {
    missed: planted.expected
      .filter(medical)
      .filter((c) => JSON.stringify(rulesOf(expectedHouseholdRef(c, hashKey))) !== JSON.stringify([c.ruleId]))
      .map((c) => c.caseId),
    falseAlarms: planted.nearMisses
      .filter(medical)
      .filter((c) => rulesOf(expectedHouseholdRef(c, hashKey)).length > 0)
      .map((c) => c.caseId),
  };
}

// ── DuckDB: the same join and thresholds, on raw IDs ─────────────────────

interface AlertCounts {
  medicalBurden: number;
  catastrophicRostered: number;
  catastrophicOutsiders: number;
}

interface DuckRun extends AlertCounts {
  seconds: number;
  threads: string;
  rowsTotal: number;
  rowsValid: number;
}

/**
 * DuckDB on the same CSV files. `validating`: the same work as the platform's
 * matcher — every row checked the way the ingester checks it (ID: 18
 * characters, province, birth date, check digit; settlement date; amounts not
 * negative, self-pay not above the total; nothing dated after the period),
 * invalid rows dropped and counted — then the 12-month window, per-person
 * sums, the join to the roster and the thresholds. Otherwise the light join
 * of raw IDs (no validation) that issue 3 compared against.
 */
async function runDuckDb(files: { medical: string; roster: string }, validating: boolean): Promise<DuckRun> {
  const asOf = periodEnd(PERIOD);
  const { rules } = ruleSetAsOf(asOf);
  const from = windowStart(asOf, rules['catastrophic-medical'].params.windowMonths);
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const checkSum = weights.map((w, i) => `CAST(substr(id, ${i + 1}, 1) AS INTEGER) * ${w}`).join(' + ');
  const provinces = [...PROVINCE_CODES].map((c) => `'${c}'`).join(', ');
  const claims = validating
    ? `
    raw AS (
      SELECT trim(身份证号) AS id, trim(结算日期) AS d, trim(医疗总费用) AS t, trim(个人自付金额) AS s
      FROM read_csv('${files.medical}', header = true, all_varchar = true)
    ),
    typed AS (
      SELECT id,
        CAST(coalesce(try_strptime(d, '%Y-%m-%d'), try_strptime(d, '%Y/%m/%d')) AS DATE) AS day,
        TRY_CAST(replace(t, ',', '') AS DECIMAL(18, 2)) AS total,
        TRY_CAST(replace(s, ',', '') AS DECIMAL(18, 2)) AS self_pay,
        CAST(try_strptime(substr(id, 7, 8), '%Y%m%d') AS DATE) AS born
      FROM raw
    ),
    valid AS (
      SELECT id, day, self_pay FROM typed
      WHERE regexp_full_match(id, '[0-9]{17}[0-9X]')
        AND substr(id, 1, 2) IN (${provinces})
        AND born >= DATE '1900-01-01' AND born <= DATE '${asOf}'
        AND substr('10X98765432', ((${checkSum}) % 11) + 1, 1) = substr(id, 18, 1)
        AND day IS NOT NULL AND day <= DATE '${asOf}'
        AND total >= 0 AND self_pay >= 0 AND self_pay <= total
    ),
    claims AS (SELECT id, self_pay FROM valid WHERE day > DATE '${from}'),
    counted AS (SELECT (SELECT count(*) FROM raw) AS rows_total, (SELECT count(*) FROM valid) AS rows_valid),`
    : `
    claims AS (
      SELECT 身份证号 AS id, CAST(个人自付金额 AS DECIMAL(18,2)) AS self_pay
      FROM read_csv('${files.medical}', header = true, all_varchar = true)
      WHERE CAST(结算日期 AS DATE) > DATE '${from}' AND CAST(结算日期 AS DATE) <= DATE '${asOf}'
    ),
    counted AS (SELECT -1 AS rows_total, -1 AS rows_valid),`;
  const sql = `
    WITH ${claims}
    per_person AS (SELECT id, sum(self_pay) AS self_pay FROM claims GROUP BY id),
    roster AS (
      SELECT 身份证号 AS id, 单位 AS unit, 户编号 AS household_no, CAST(家庭人口数 AS INTEGER) AS size, CAST(家庭月人均收入 AS DECIMAL(18,2)) AS income
      FROM read_csv('${files.roster}', header = true, all_varchar = true)
    ),
    matched AS (SELECT r.*, p.self_pay FROM roster r JOIN per_person p USING (id)),
    households AS (
      SELECT unit, household_no, sum(self_pay) AS self_pay, max(self_pay) AS top_self_pay, any_value(income) * any_value(size) * 12 AS annual_income
      FROM matched GROUP BY unit, household_no
    )
    SELECT
      (SELECT rows_total FROM counted) AS rows_total,
      (SELECT rows_valid FROM counted) AS rows_valid,
      (SELECT count(*) FROM households WHERE self_pay > ${rules['medical-burden'].params.burdenRatio} * annual_income) AS medical_burden,
      (SELECT count(*) FROM households WHERE top_self_pay >= ${rules['catastrophic-medical'].params.selfPayThreshold}) AS catastrophic_rostered,
      (SELECT count(*) FROM per_person p ANTI JOIN roster r USING (id) WHERE p.self_pay >= ${rules['catastrophic-medical'].params.selfPayThreshold}) AS catastrophic_outsiders`;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const threads = String((await connection.runAndReadAll(`SELECT current_setting('threads') AS t`)).getRowObjects()[0].t);
    const t0 = performance.now();
    const [row] = (await connection.runAndReadAll(sql)).getRowObjects();
    const seconds = (performance.now() - t0) / 1000;
    return {
      seconds,
      threads,
      rowsTotal: Number(row.rows_total),
      rowsValid: Number(row.rows_valid),
      medicalBurden: Number(row.medical_burden),
      catastrophicRostered: Number(row.catastrophic_rostered),
      catastrophicOutsiders: Number(row.catastrophic_outsiders),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// ── measuring ─────────────────────────────────────────────────────────────

/** RSS and heap sampled every 50 ms (the platform, its storage servers and the matcher share this process). */
function sampleMemory() {
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return { baseRssMb: mb(base.rss), peakRssMb: mb(rss), peakHeapMb: mb(heap) };
    },
  };
}

/** What the roster ingester's "roster ingested" log line says. */
interface RosterLine {
  people: number;
  phaseMs: Record<string, number>;
}

interface MutedLogs {
  rosters(): RosterLine[];
  matched(): MatchedLine;
  restore(): void;
}

/**
 * The functions log a JSON line per invocation (and Powertools a metrics notice
 * per invocation): thousands during the run. They are kept out of the report,
 * except the matcher's "dataset matched" line, which carries the phase timings.
 */
function muteFunctionLogs(): MutedLogs {
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  let matched: MatchedLine = { phaseMs: {} };
  const rosters: RosterLine[] = [];
  const filter = (original: typeof stdout) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      // function output arrives from their worker threads, several lines to a chunk
      const kept = text.split('\n').filter((line) => {
        if (line.includes('"dataset matched"')) matched = JSON.parse(line) as MatchedLine;
        if (line.includes('"roster ingested"')) rosters.push(JSON.parse(line) as RosterLine);
        return line !== '' && !line.startsWith('{"level"') && !line.startsWith('{"_aws"') && !line.startsWith('No application metrics');
      });
      return kept.length === 0 ? true : original(`${kept.join('\n')}\n`, ...(rest as []));
    }) as typeof stdout;
  process.stdout.write = filter(stdout);
  process.stderr.write = filter(stderr);
  return {
    matched: () => matched,
    rosters: () => rosters,
    restore: () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    },
  };
}

/** What the matcher's "dataset matched" log line says. */
interface MatchedLine {
  phaseMs: Record<string, number>;
  stored?: number;
  factItemsWritten?: number;
  factWriteRequests?: number;
}

// ── report ────────────────────────────────────────────────────────────────

/** The fan-out's run beside the single function's: times, the steps' invocations, and whether it found the same. */
function reportFanOut(rows: number, single: OurRun, fanned: OurRun): void {
  const s = (seconds: number) => `${seconds.toFixed(1)} s`;
  const steps = (id: string) => fanned.reports.filter((r) => r.functionId === id);
  const busiest = (id: string) => Math.max(0, ...steps(id).map((r) => r.maxMemoryMb));
  console.log('\nFan-out (BENCH_FAN_OUT=1): the same file through split → map over ranges → map over partitions → finish, locally');
  table([
    {
      path: 'one function',
      'to summary written': s(single.summarySeconds),
      'to idle': s(single.idleSeconds),
      'rows/s (to idle)': Math.round(rows / single.idleSeconds).toLocaleString('en-US'),
    },
    {
      path: 'fan-out',
      'to summary written': s(fanned.summarySeconds),
      'to idle': s(fanned.idleSeconds),
      'rows/s (to idle)': Math.round(rows / fanned.idleSeconds).toLocaleString('en-US'),
    },
  ]);
  table(
    ['fan-out-split', 'fan-out-range', 'fan-out-partition', 'fan-out-finish'].map((id) => ({
      step: id,
      invocations: steps(id).length,
      'busy (sum)': s(steps(id).reduce((t, r) => t + r.durationMs, 0) / 1000),
      longest: s(Math.max(0, ...steps(id).map((r) => r.durationMs)) / 1000),
      'max memory': `${busiest(id)} MiB`,
    })),
  );
  const same =
    JSON.stringify(fanned.counts) === JSON.stringify(single.counts) && fanned.summary.rowsRejected === single.summary.rowsRejected;
  console.log(
    `Same rows rejected and alert counts as the single path: ${same ? 'yes' : `NO (${JSON.stringify(fanned.counts)} vs ${JSON.stringify(single.counts)})`}`,
  );
  console.log(`Planted cases: missed ${fanned.plantedOk.missed.length}, false alarms ${fanned.plantedOk.falseAlarms.length}`);
}

function report(rows: number, generated: Generated, ours: OurRun, duck: { light: DuckRun; validating: DuckRun }): void {
  const s = (seconds: number) => `${seconds.toFixed(1)} s`;
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(
    `\nGenerated in ${s(generated.seconds)}: medical CSV ${(generated.medicalBytes / 1024 / 1024).toFixed(0)} MiB; roster upload through the platform (7 units, roster ingester): ${s(ours.rosterSeconds)} (alerts raised: ${n(ours.rosterAlerts)})`,
  );
  const rosterPhases: Record<string, number> = {};
  for (const r of ours.rosterPhases) for (const [k, v] of Object.entries(r.phaseMs)) rosterPhases[k] = (rosterPhases[k] ?? 0) + v;
  console.log('Roster ingester phases (summed over the units):');
  table([Object.fromEntries(Object.entries(rosterPhases).map(([k, v]) => [k, ms(v)]))]);
  console.log(`Summary: ${ours.summary.status}, ${n(ours.summary.rowsTotal)} rows, ${ours.summary.rowsRejected} rejected`);
  for (const w of ours.summary.warnings) console.log(`  · ${w}`);

  const matcher = ours.reports.find((r) => r.functionId === 'match-dataset');
  console.log(
    '\nOurs (local platform, each function in its own worker): PutObject → summary written → bus idle (all alerts stored, events delivered)',
  );
  table([
    {
      'PutObject (stream to s3rver)': s(ours.putSeconds),
      'to summary written': s(ours.summarySeconds),
      'to bus idle': s(ours.idleSeconds),
      'rows/s (to idle)': n(Math.round(rows / ours.idleSeconds)),
      'match-dataset max memory': matcher ? `${n(matcher.maxMemoryMb)} MiB of ${n(matcher.memoryMb)} MB` : '-',
      'process peak RSS': `${ours.peakRssMb} MiB (base ${ours.baseRssMb})`,
    },
  ]);
  const { phaseMs, stored, factItemsWritten, factWriteRequests } = ours.matched;
  console.log('Matcher phases (from its "dataset matched" log line) and table requests for person facts:');
  table([
    {
      ...Object.fromEntries(Object.entries(phaseMs).map(([k, v]) => [k, ms(v)])),
      'people stored': n(stored ?? 0),
      'fact items': n(factItemsWritten ?? 0),
      'BatchWriteItem requests': n(factWriteRequests ?? 0),
    },
  ]);
  const byFunction = new Map<string, { invocations: number; ms: number; maxMb: number }>();
  for (const r of ours.reports) {
    const f = byFunction.get(r.functionId) ?? { invocations: 0, ms: 0, maxMb: 0 };
    byFunction.set(r.functionId, { invocations: f.invocations + 1, ms: f.ms + r.durationMs, maxMb: Math.max(f.maxMb, r.maxMemoryMb) });
  }
  table(
    [...byFunction].map(([fn, f]) => ({
      function: fn,
      invocations: n(f.invocations),
      'busy (sum)': s(f.ms / 1000),
      'max memory': `${f.maxMb} MiB`,
    })),
  );

  const matching = (phaseMs['parse+hash+join'] ?? 0) / 1000;
  console.log(`\nDuckDB (${duck.validating.threads} threads), same CSV files:`);
  table([
    {
      reference: 'validating (ID, dates, amounts; invalid rows dropped), window, sums, join, thresholds',
      DuckDB: s(duck.validating.seconds),
      'ours, matching work (parse+hash+join)': s(matching),
      'ratio matching': `${(matching / duck.validating.seconds).toFixed(1)}×`,
      'ours, to all alerts stored': s(ours.idleSeconds),
      'ratio whole': `${(ours.idleSeconds / duck.validating.seconds).toFixed(1)}×`,
    },
    {
      reference: 'light (raw IDs joined, nothing validated)',
      DuckDB: s(duck.light.seconds),
      'ours, matching work (parse+hash+join)': s(matching),
      'ratio matching': `${(matching / duck.light.seconds).toFixed(1)}×`,
      'ours, to all alerts stored': s(ours.idleSeconds),
      'ratio whole': `${(ours.idleSeconds / duck.light.seconds).toFixed(1)}×`,
    },
  ]);

  const v = duck.validating;
  const agree = (a: number, b: number) => (a === b ? 'yes' : 'NO');
  table([
    {
      count: 'rows rejected',
      ours: ours.summary.rowsRejected,
      DuckDB: v.rowsTotal - v.rowsValid,
      agree: agree(ours.summary.rowsRejected, v.rowsTotal - v.rowsValid),
    },
    {
      count: 'alerts medical-burden (households)',
      ours: ours.counts.medicalBurden,
      DuckDB: v.medicalBurden,
      agree: agree(ours.counts.medicalBurden, v.medicalBurden),
    },
    {
      count: 'alerts catastrophic-medical, rostered households',
      ours: ours.counts.catastrophicRostered,
      DuckDB: v.catastrophicRostered,
      agree: agree(ours.counts.catastrophicRostered, v.catastrophicRostered),
    },
    {
      count: 'alerts catastrophic-medical, people on no roster',
      ours: ours.counts.catastrophicOutsiders,
      DuckDB: v.catastrophicOutsiders,
      agree: agree(ours.counts.catastrophicOutsiders, v.catastrophicOutsiders),
    },
  ]);
  const { missed, falseAlarms } = ours.plantedOk;
  console.log(
    `Planted medical cases: ${missed.length === 0 && falseAlarms.length === 0 ? 'all triggers fired, no near-miss fired' : `missed ${missed.join(', ') || '-'}; false alarms ${falseAlarms.join(', ') || '-'}`}`,
  );

  // One function's ceiling, from this run: the in-function time per row to the summary, and its memory per row.
  const secondsPerRow = ours.summarySeconds / rows;
  const mbPerRow = matcher ? matcher.maxMemoryMb / rows : 0;
  const LARGEST_MB = 10_240;
  console.log(
    `Single-function ceiling from this run: ${n(Math.floor(900 / secondsPerRow))} rows in 15 minutes at this machine's speed (to summary written), ` +
      (mbPerRow > 0
        ? `${n(Math.floor((LARGEST_MB * 0.9) / mbPerRow))} rows in a ${n(LARGEST_MB)} MB function's heap (at ${(mbPerRow * 1e6).toFixed(0)} MB per million rows)`
        : ''),
  );
  console.log(
    `Process maxRSS over the whole run (generation, platform, matcher, DuckDB): ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
  );
}
