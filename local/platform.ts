import { appendFile, chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { buildRoutes, FUNCTIONS, QUEUES, SCHEDULES, type FunctionId } from '../shared/domain/routing.ts';
import type { ChannelsConfig } from '../shared/domain/notifications/index.ts';
import type { SweepResult } from '../shared/application/deadline-sweep/deadline-sweep.ts';
import type { DigestRunResult } from '../shared/application/notify/send-digests.ts';
import { LocalDeadLetterQueue, LocalQueue } from './local-queue.ts';
import { UPLOADS_PREFIX } from '../shared/domain/upload-key.ts';
import { UNIT_CODES } from '../shared/domain/units.ts';
import { RUNTIME_ENV_NAMES, resetRuntimeEnv } from '../shared/runtime-env.ts';
import { DEFAULT_FOLLOW_UP_DAYS } from '../shared/domain/alerts/lifecycle.ts';
import { resetClients } from '../shared/adapters/aws-clients.ts';
import { expireClaim, getUploads } from '../shared/adapters/upload-store.ts';
import { endLeases } from '../shared/adapters/lease.ts';
import { mapWithConcurrency } from '../shared/adapters/concurrency.ts';
import { alertCreationLease } from '../shared/adapters/alert-store.ts';
import { ensureBucket, ensureTable, LOCAL_REGION, startDynamoDb, startS3 } from './storage-servers.ts';
import { loadOrCreateLocalCredentials, type LocalCredentials } from './credentials.ts';
import { restrictDataFolder } from './data-folder-modes.ts';
import type { ObjectStore, StoredObject } from './s3/object-store.ts';
import { compareKeys } from './s3/sorted-keys.ts';
import { importS3rverFolder } from './s3/import-s3rver.ts';
import { LocalEventBus, toIsoSeconds, type DeliveryReport } from './event-bus.ts';
import { DeliveryJournal } from './delivery-journal.ts';
import type { EventBridgeEnvelope } from './event-envelope.ts';
import { startLocalAwsServer } from './local-aws-server.ts';
import { LocalScheduler } from './scheduler.ts';
import { startApiGateway } from './api-gateway.ts';
import { dashboardSite } from './dashboard-site.ts';
import { PlatformClock } from './clock.ts';
import { LambdaRuntime, type InvocationReport } from './lambda-runtime.ts';
import { toObjectCreatedEvent } from './s3-object-created.ts';
import { LOCAL_SECRET_IDS, loadOrCreateLocalSecrets } from './local-secrets.ts';
import { dataPaths, type Endpoints } from './data-paths.ts';
import { LocalStepFunctions } from './step-functions.ts';
import { MEDICAL_FAN_OUT, WORK_PREFIX } from '../shared/domain/fan-out/medical-fan-out.ts';
import { FAN_OUT_ENV_NAMES } from '../shared/application/fan-out/fan-out-settings.ts';

export interface PlatformOptions {
  dataDir?: string;
  apiPort?: number;
  /** Run as if today were this date (YYYY-MM-DD); the clock then advances normally. */
  clockDate?: string;
  clockRate?: number;
  /** First retry delay of the bus (default 1 s; tests use less). */
  retryBackoffMs?: number;
  schedulerTickMs?: number;
  /** Alert response deadlines in calendar (default) or working days, as a stage config would set them. */
  deadlineCounting?: 'calendar' | 'working';
  /** Days from an assistance outcome to its follow-up (default 90). */
  followUpDays?: number;
  onDelivery?: (report: DeliveryReport) => void;
  onEvent?: (event: EventBridgeEnvelope) => void;
  onSchedule?: (scheduleId: string, scheduledTime: string, result: unknown) => void;
  /** Memory per function where it differs from the routing table's (as a stage's `functionMemoryMb`). */
  functionMemoryMb?: Partial<Record<FunctionId, number>>;
  /** Each function invocation's REPORT (duration, most memory used), as Lambda logs it. */
  onInvocation?: (report: InvocationReport) => void;
  /** 'in-process' for a test that audits the functions' own SDK calls (see LambdaRuntime); default 'worker'. */
  functionIsolation?: 'worker' | 'in-process';
  /** The units' notification channels (`start --channels FILE`), served to the functions as a local secret. */
  channels?: ChannelsConfig;
  /** Pause before the local queue receives a failed message again (default 30 s, as SQS's visibility timeout). */
  queueVisibilityMs?: number;
  /**
   * The medical fan-out (a stage's `fanOutAboveBytes`; range size and partition count as the spec says unless given):
   * tests make them tiny. Default: what the shell sets (FAN_OUT_ABOVE_BYTES …), else the stage default of 1 GiB.
   */
  fanOut?: { aboveBytes?: number; rangeBytes?: number; partitions?: number };
}

export interface RunningPlatform {
  endpoints: Endpoints;
  dataDir: string;
  bus: LocalEventBus;
  scheduler: LocalScheduler;
  clock: PlatformClock;
  /** The functions' execution environments (`recycle` after changing their environment variables). */
  functions: LambdaRuntime;
  /** Uploads found without a terminal result at start and sent through again. */
  resumedUploads: string[];
  /** Deliveries the journal held as pending at start (cut off by a crash), delivered again. */
  redrivenDeliveries: number;
  /** The local SQS queues by id (QUEUES), e.g. the notification deliveries. */
  queues: Record<string, LocalQueue>;
  /** The local Step Functions (the medical fan-out's executions). */
  stepFunctions: LocalStepFunctions;
  /** `sweep [--at]`: the daily sweep, then (once its events are handled) the daily digest of the same day. */
  sweepAndDigest(at?: string): Promise<SweepResult & { digest: DigestRunResult }>;
  /** The bus and every queue idle (delayed deliveries included). */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

/** The casework settings of the shell that started the process (read once: a platform's own settings must not leak into the next one). */
const SHELL_CASEWORK_ENV = {
  deadlineCounting: process.env[RUNTIME_ENV_NAMES.deadlineCounting],
  followUpDays: process.env[RUNTIME_ENV_NAMES.followUpDays],
};

const BUS_NAME = 'safety-net-local';
const UPLOADS_BUCKET = 'safety-net-local-uploads';
const TABLE_NAME = 'safety-net-local';
const ACCOUNT = '000000000000';
const LOCAL_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:${ACCOUNT}:safety-net-local-notifications`;
const FAN_OUT_ARN = `arn:aws:states:${LOCAL_REGION}:${ACCOUNT}:stateMachine:safety-net-local-${MEDICAL_FAN_OUT.id}`;

/** The fan-out settings of the shell that started the process (read once, like the casework ones). */
const SHELL_FAN_OUT_ENV = {
  aboveBytes: process.env[FAN_OUT_ENV_NAMES.aboveBytes],
  rangeBytes: process.env[FAN_OUT_ENV_NAMES.rangeBytes],
  partitions: process.env[FAN_OUT_ENV_NAMES.partitions],
};

/**
 * The whole platform on one machine: dynalite, the local S3, the local bus (which
 * also serves Secrets Manager reads), the scheduler and the HTTP API, all on
 * 127.0.0.1, with state under the data folder that survives a restart.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const dataDir = resolve(options.dataDir ?? '.safety-net');
  const paths = dataPaths(dataDir);
  // Readable by its owner only: files the platform (and dynalite's LevelDB) creates are 0600, folders 0700.
  const previousUmask = isMainThread ? process.umask(0o077) : undefined;
  await restrictDataFolder(dataDir);
  await mkdir(paths.archiveDir, { recursive: true, mode: 0o700 });
  await mkdir(dirname(paths.queueFile('x')), { recursive: true, mode: 0o700 });
  const clock = new PlatformClock(options.clockDate, options.clockRate);
  const secrets = {
    ...(await loadOrCreateLocalSecrets(paths.secretsFile)),
    [LOCAL_SECRET_IDS.notificationChannels]: JSON.stringify(options.channels ?? {}),
  };
  const credentials = await loadOrCreateLocalCredentials(paths.credentialsFile);

  const closers: Array<() => Promise<unknown>> = [];
  // Each function in its own workers, with its memory limit and timeout (created on first use: start-up stays fast).
  const functions = new LambdaRuntime({
    onReport: options.onInvocation,
    isolation: options.functionIsolation,
    functions: FUNCTIONS.map((f) => ({ ...f, memoryMb: options.functionMemoryMb?.[f.id] ?? f.memoryMb })),
  });
  const invokeFunction = (target: FunctionId, event: unknown) => functions.invoke(target, event);
  closers.push(() => functions.close());
  try {
    const dynamo = await startDynamoDb(paths.dynamoDir, credentials);
    closers.push(dynamo.close);
    // Compacted before anything is put on the bus; what it held pending is re-driven once the functions can run.
    const { journal, pending: pendingDeliveries } = await DeliveryJournal.open(paths.deliveryJournalFile);
    const bus = new LocalEventBus({
      name: BUS_NAME,
      account: ACCOUNT,
      region: LOCAL_REGION,
      routes: buildRoutes({ uploadsBucketName: UPLOADS_BUCKET }),
      clock,
      archiveFile: paths.archiveFile,
      deadLetterFile: paths.deadLetterFile,
      journal,
      invoke: (target, event) => invokeFunction(target, event),
      backoffMs: options.retryBackoffMs,
      onDelivery: options.onDelivery,
      onEvent: options.onEvent,
    });
    // S3 notifications become the "Object Created" events S3 sends to EventBridge on AWS,
    // stamped with the platform clock like every event on the local bus (--clock runs).
    const s3 = await startS3(paths.s3Dir, credentials, (records) => {
      for (const record of records) {
        const event = toObjectCreatedEvent(record as never, { account: ACCOUNT, region: LOCAL_REGION });
        // the fan-out's work files are not forwarded to the platform bus (the stack's forwarding rule skips work/ too)
        if (event && !event.detail.object.key.startsWith(WORK_PREFIX)) bus.publish({ ...event, time: toIsoSeconds(clock.now()) });
      }
    });
    closers.push(s3.close);
    await importS3rverFolder(paths.legacyS3Dir, s3.store);

    let scheduler: LocalScheduler | undefined;
    // SQS queues and their consumers, the notification topic: served by the same local AWS server.
    const queues: Record<string, LocalQueue> = {};
    const queueEndpoints: Record<string, LocalQueue | LocalDeadLetterQueue> = {};
    for (const spec of QUEUES) {
      const name = `safety-net-local-${spec.id}`;
      queues[spec.id] = new LocalQueue({
        spec,
        url: `/${ACCOUNT}/${name}`,
        arn: `arn:aws:sqs:${LOCAL_REGION}:${ACCOUNT}:${name}`,
        region: LOCAL_REGION,
        invoke: (target, event) => invokeFunction(target, event),
        pendingFile: paths.queueFile(spec.id),
        deadLetterFile: paths.notificationDeadLetterFile,
        visibilityMs: options.queueVisibilityMs,
      });
      queueEndpoints[`/${ACCOUNT}/${name}`] = queues[spec.id];
      queueEndpoints[`/${ACCOUNT}/${name}-dlq`] = new LocalDeadLetterQueue(paths.notificationDeadLetterFile);
    }
    // Step Functions: the fan-out's executions walk the same spec as the stack's state machine, on the worker pool.
    const stepFunctions = new LocalStepFunctions({
      stateMachines: [{ arn: FAN_OUT_ARN, spec: MEDICAL_FAN_OUT }],
      stateDir: paths.executionsDir,
      invoke: (target, event) => invokeFunction(target, event),
      readItems: async (key) => JSON.parse((await s3.store.read(UPLOADS_BUCKET, key))?.toString('utf8') ?? '[]') as unknown[],
      retryScale: options.retryBackoffMs !== undefined ? options.retryBackoffMs / 1000 : undefined,
    });
    closers.push(() => stepFunctions.close());
    const whenIdle = async () => {
      // A delivery can put events on the bus and a notify can queue deliveries: wait until both are still.
      for (let round = 0; round < 2; round++) {
        await bus.whenIdle();
        await stepFunctions.whenIdle();
        for (const queue of Object.values(queues)) await queue.whenIdle();
      }
      await bus.whenIdle();
    };
    const sweepAndDigest = async (at?: string) => {
      const sweep = (await scheduler!.fireNow('daily-deadline-sweep', at)) as SweepResult;
      await bus.whenIdle();
      const digest = (await scheduler!.fireNow('daily-digest', at ?? sweep.today)) as DigestRunResult;
      await bus.whenIdle();
      return { ...sweep, digest };
    };
    const aws = await startLocalAwsServer({
      bus,
      secrets,
      queues: queueEndpoints,
      stepFunctions,
      topics: {
        [LOCAL_TOPIC_ARN]: async (message) => {
          await appendFile(paths.outboxFile, `${JSON.stringify({ publishedAt: new Date().toISOString(), ...message })}\n`, { mode: 0o600 });
        },
      },
      credentials,
      control: {
        sweep: async (body) => sweepAndDigest(body.at ? String(body.at) : undefined),
        idle: async () => {
          await whenIdle();
          return { idle: true };
        },
        clock: async () => ({ now: clock.now().toISOString() }),
      },
    });
    closers.push(aws.close);

    setFunctionEnvironment({ dynamo: dynamo.endpoint, s3: s3.endpoint, aws: aws.endpoint }, credentials, options);
    await ensureTable(dynamo.endpoint, TABLE_NAME, credentials);
    await ensureBucket(s3.endpoint, UPLOADS_BUCKET, credentials);
    await stepFunctions.start(); // unfinished executions run again from the start (their steps are idempotent)
    for (const queue of Object.values(queues)) await queue.start();
    closers.push(async () => {
      for (const queue of Object.values(queues)) await queue.stop();
    });

    scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      clock,
      stateFile: paths.schedulerFile,
      tickMs: options.schedulerTickMs,
      invoke: (target: FunctionId, input) => invokeFunction(target, input),
      onFire: (s, t, r) => options.onSchedule?.(s.id, t, r),
    });
    await scheduler.start();
    closers.push(() => scheduler!.stop());

    const api = await startApiGateway((event) => invokeFunction('api', event), clock, options.apiPort, dashboardSite(s3.endpoint));
    closers.push(api.close);
    // The dashboard uploads with presigned PUTs straight to the local S3, as a browser would to S3 with CORS.
    for (const origin of [api.url, api.url.replace('127.0.0.1', 'localhost')]) s3.allowOrigin(new URL(origin).origin);
    // Links in messages point at the dashboard this platform serves.
    process.env[RUNTIME_ENV_NAMES.dashboardUrl] = api.url;
    resetRuntimeEnv();

    const endpoints: Endpoints = {
      api: api.url,
      s3: s3.endpoint,
      dynamodb: dynamo.endpoint,
      eventbridge: aws.endpoint,
      uploadsBucket: UPLOADS_BUCKET,
      busName: BUS_NAME,
      tableName: TABLE_NAME,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    };
    const resumedUploads = await resumeUnfinishedUploads(s3.store, bus);
    const redrivenDeliveries = bus.redrive(pendingDeliveries);
    // Written whole and switched in: a reader never sees half a file, and the secret key is 0600 from the start.
    const endpointsTmp = `${paths.endpointsFile}.tmp`;
    await writeFile(endpointsTmp, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
    await chmod(endpointsTmp, 0o600);
    await rename(endpointsTmp, paths.endpointsFile);

    let closed = false;
    return {
      endpoints,
      dataDir,
      bus,
      scheduler,
      clock,
      functions,
      resumedUploads,
      redrivenDeliveries,
      queues,
      stepFunctions,
      sweepAndDigest,
      whenIdle,
      async close() {
        if (closed) return;
        closed = true;
        await bus.whenIdle();
        await stepFunctions.whenIdle(); // a running fan-out completes its upload (and puts its events) first
        await bus.whenIdle();
        for (const close of closers.reverse()) await close();
        if (previousUmask !== undefined) process.umask(previousUmask);
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    if (previousUmask !== undefined) process.umask(previousUmask);
    throw error;
  }
}

/** The environment the functions see: the same variables the CDK stack sets, plus local endpoints. */
function setFunctionEnvironment(
  endpoints: { dynamo: string; s3: string; aws: string },
  credentials: LocalCredentials,
  casework: Pick<PlatformOptions, 'deadlineCounting' | 'followUpDays' | 'fanOut'>,
): void {
  const fanOut = {
    [FAN_OUT_ENV_NAMES.stateMachineArn]: FAN_OUT_ARN,
    [FAN_OUT_ENV_NAMES.aboveBytes]: casework.fanOut?.aboveBytes ?? SHELL_FAN_OUT_ENV.aboveBytes,
    [FAN_OUT_ENV_NAMES.rangeBytes]: casework.fanOut?.rangeBytes ?? SHELL_FAN_OUT_ENV.rangeBytes,
    [FAN_OUT_ENV_NAMES.partitions]: casework.fanOut?.partitions ?? SHELL_FAN_OUT_ENV.partitions,
  };
  for (const [name, value] of Object.entries(fanOut)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = String(value);
  }
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.aws,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.aws,
    AWS_ENDPOINT_URL_SQS: endpoints.aws,
    AWS_ENDPOINT_URL_SNS: endpoints.aws,
    AWS_ENDPOINT_URL_SFN: endpoints.aws,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'safety-net-local',
    // Metrics (EMF lines) only when asked for (`--verbose`).
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    [RUNTIME_ENV_NAMES.stage]: 'local',
    [RUNTIME_ENV_NAMES.tableName]: TABLE_NAME,
    [RUNTIME_ENV_NAMES.uploadsBucket]: UPLOADS_BUCKET,
    [RUNTIME_ENV_NAMES.eventBusName]: BUS_NAME,
    [RUNTIME_ENV_NAMES.idHashSecretId]: LOCAL_SECRET_IDS.idHashKey,
    [RUNTIME_ENV_NAMES.tokenSecretId]: LOCAL_SECRET_IDS.tokenSigningKey,
    // An option wins; otherwise what the shell set (DEADLINE_COUNTING=working npm start), else the defaults.
    [RUNTIME_ENV_NAMES.deadlineCounting]: casework.deadlineCounting ?? SHELL_CASEWORK_ENV.deadlineCounting ?? 'calendar',
    [RUNTIME_ENV_NAMES.followUpDays]: String(casework.followUpDays ?? SHELL_CASEWORK_ENV.followUpDays ?? DEFAULT_FOLLOW_UP_DAYS),
    [RUNTIME_ENV_NAMES.channelsSecretId]: LOCAL_SECRET_IDS.notificationChannels,
    [RUNTIME_ENV_NAMES.notificationTopicArn]: LOCAL_TOPIC_ARN,
  });
  for (const spec of QUEUES) {
    process.env[spec.urlEnv] = `${endpoints.aws}/${ACCOUNT}/safety-net-local-${spec.id}`;
    process.env[spec.deadLetterUrlEnv] = `${endpoints.aws}/${ACCOUNT}/safety-net-local-${spec.id}-dlq`;
  }
  resetRuntimeEnv();
  resetClients();
}

/**
 * Nothing is lost across a crash: every upload whose record is not terminal for
 * its current bytes (no record, another version's, or still `processing`) is
 * sent through its pipeline again. Only the upload record says done: a
 * summary.json may be written before a crash that kept the events from going
 * out. At start-up nothing from before is still running, so the leases of the
 * old claims are ended first; the handlers are idempotent and announce what
 * was stored but not announced. The objects are read straight from the local
 * S3's store (the local runtime looking at its own storage), the records in
 * batches of 100.
 */
async function resumeUnfinishedUploads(store: ObjectStore, bus: LocalEventBus): Promise<string[]> {
  const objects: StoredObject[] = [];
  let after: string | undefined;
  do {
    const page = store.list(UPLOADS_BUCKET, { prefix: UPLOADS_PREFIX, after, maxKeys: 1000 });
    objects.push(...page.objects);
    after = page.resumeAfter;
  } while (after !== undefined);
  const records = await getUploads(objects.map((o) => o.key));
  const unfinished = objects.filter((object) => {
    const record = records.get(object.key);
    return !(record && record.etag === object.etag && record.status !== 'processing');
  });
  await mapWithConcurrency(unfinished, 8, async (object) => {
    if (records.get(object.key)?.status === 'processing') await expireClaim(object.key);
  });
  // a holder killed while creating alerts would otherwise keep its unit's raisers waiting out the lease
  await endLeases(UNIT_CODES.map(alertCreationLease));
  unfinished.sort((a, b) => compareKeys(a.key, b.key));
  for (const object of unfinished) {
    const record = {
      eventName: 'ObjectCreated:Put',
      eventTime: object.lastModified,
      s3: {
        bucket: { name: UPLOADS_BUCKET },
        object: { key: object.key, size: object.size, eTag: object.etag, sequencer: object.sequencer },
      },
    };
    const event = toObjectCreatedEvent(record, { account: ACCOUNT, region: LOCAL_REGION });
    if (event) bus.publish(event);
  }
  return unfinished.map((o) => o.key);
}
