import { buffer } from 'node:stream/consumers';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalEventBus, PutEventsEntry } from './event-bus.ts';
import type { LocalCredentials } from './credentials.ts';
import { ExecutionAlreadyExistsError, StateMachineDoesNotExistError, type LocalStepFunctions } from './step-functions.ts';
import { jsonAuthError } from './sigv4/json-auth-error.ts';
import { verifySignature } from './sigv4/verify-signature.ts';

export interface ControlRoutes {
  [path: string]: (body: Record<string, unknown>) => Promise<unknown>;
}

export interface LocalAwsServerOptions {
  bus: LocalEventBus;
  /** Secrets Manager's GetSecretValue for the local secrets (by id). */
  secrets: Record<string, string>;
  /** Every request, the CLI's control calls included, must be SigV4-signed with these. */
  credentials: LocalCredentials;
  /** Local-only control endpoints (POST /_local/<name>) for the CLI. */
  control: ControlRoutes;
  /** SQS SendMessage, by queue URL path (`/{account}/{name}`). */
  queues?: Record<
    string,
    { send(body: string, delaySeconds?: number): { messageId: string; md5: string } | Promise<{ messageId: string; md5: string }> }
  >;
  /** SNS Publish, by topic ARN. */
  topics?: Record<string, (message: SnsMessage) => Promise<void>>;
  /** Step Functions StartExecution / DescribeExecution (AWS JSON 1.0). */
  stepFunctions?: LocalStepFunctions;
}

export interface SnsMessage {
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
}

/**
 * One loopback HTTP server that speaks the AWS JSON 1.1 protocol for the two
 * services the local platform provides itself: EventBridge PutEvents and Secrets
 * Manager GetSecretValue. The real SDK clients talk to it through
 * AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
export async function startLocalAwsServer(
  options: LocalAwsServerOptions,
  port = 0,
): Promise<{ endpoint: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) =>
      reply(res, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const { port: actual } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: LocalAwsServerOptions): Promise<void> {
  const { bus, secrets, control, credentials } = options;
  const raw = await buffer(req);
  const url = new URL(req.url ?? '/', 'http://local');
  const check = await verifySignature(
    { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: raw },
    // `execute-api` signs the CLI's control calls (local/cli/signed-fetch.ts).
    { credentials, services: url.pathname.startsWith('/_local/') ? ['execute-api'] : ['events', 'secretsmanager', 'sqs', 'sns', 'states'] },
  );
  if (!check.ok) {
    const error = jsonAuthError(check);
    return reply(res, error.status, { __type: error.type, message: error.message });
  }
  const body = raw.toString('utf8');
  // SNS speaks the query protocol (form-encoded Action=…, XML answers).
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    if (check.service !== 'sns')
      return reply(res, 400, { __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'sns'." });
    return handleSnsQuery(res, body, options);
  }
  if (url.pathname.startsWith('/_local/')) {
    const route = control[url.pathname.slice('/_local/'.length)];
    if (!route || req.method !== 'POST') return reply(res, 404, { error: 'unknown control route' }, 'application/json');
    try {
      return reply(res, 200, await route(body ? JSON.parse(body) : {}), 'application/json');
    } catch (error) {
      return reply(res, 400, { error: error instanceof Error ? error.message : String(error) }, 'application/json');
    }
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const signingName = target.startsWith('AWSEvents.')
    ? 'events'
    : target.startsWith('AmazonSQS.')
      ? 'sqs'
      : target.startsWith('AWSStepFunctions.')
        ? 'states'
        : 'secretsmanager';
  if (check.service !== signingName)
    return reply(res, 400, {
      __type: 'InvalidSignatureException',
      message: `Credential should be scoped to correct service: '${signingName}'.`,
    });
  const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  switch (target) {
    case 'AWSEvents.PutEvents': {
      const entries = (input.Entries ?? []) as PutEventsEntry[];
      if (entries.length < 1 || entries.length > 10)
        return reply(res, 400, { __type: 'ValidationException', message: 'Entries must have between 1 and 10 items.' });
      const results = bus.putEvents(entries);
      await bus.archived(); // acknowledged only once archived, as PutEvents is durable on AWS
      return reply(res, 200, { Entries: results, FailedEntryCount: results.filter((r) => r.ErrorCode).length });
    }
    case 'AWSEvents.DescribeEventBus': {
      const name = String(input.Name ?? 'default');
      if (name !== bus.description.Name && name !== bus.description.Arn)
        return reply(res, 400, { __type: 'ResourceNotFoundException', message: `Event bus ${name} does not exist.` });
      return reply(res, 200, bus.description);
    }
    case 'secretsmanager.GetSecretValue': {
      const id = String(input.SecretId ?? '');
      if (!(id in secrets))
        return reply(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      return reply(res, 200, {
        ARN: `arn:aws:secretsmanager:cn-local-1:000000000000:secret:${id}`,
        Name: id,
        SecretString: secrets[id],
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      });
    }
    case 'AmazonSQS.SendMessage': {
      const queue = options.queues?.[new URL(String(input.QueueUrl ?? ''), 'http://local').pathname];
      if (!queue)
        return reply(res, 400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }, JSON_1_0);
      const delay = Number(input.DelaySeconds ?? 0);
      if (!Number.isInteger(delay) || delay < 0 || delay > 900)
        return reply(res, 400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: 'DelaySeconds must be 0-900.' }, JSON_1_0);
      const sent = await queue.send(String(input.MessageBody ?? ''), delay);
      return reply(res, 200, { MessageId: sent.messageId, MD5OfMessageBody: sent.md5 }, JSON_1_0);
    }
    case 'AWSStepFunctions.StartExecution':
    case 'AWSStepFunctions.DescribeExecution': {
      const sfn = options.stepFunctions;
      if (!sfn) break;
      try {
        if (target === 'AWSStepFunctions.StartExecution')
          return reply(res, 200, await sfn.startExecution(input as { stateMachineArn?: string; name?: string; input?: string }), JSON_1_0);
        const execution = sfn.describeExecution(String(input.executionArn ?? ''));
        if (!execution) return reply(res, 400, { __type: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist' }, JSON_1_0);
        const { error, ...described } = execution;
        return reply(
          res,
          200,
          {
            ...described,
            startDate: Date.parse(described.startDate) / 1000,
            ...(described.stopDate ? { stopDate: Date.parse(described.stopDate) / 1000 } : {}),
            ...(error ? { error } : {}),
          },
          JSON_1_0,
        );
      } catch (error) {
        if (error instanceof ExecutionAlreadyExistsError || error instanceof StateMachineDoesNotExistError)
          return reply(res, 400, { __type: error.type, message: error.message }, JSON_1_0);
        throw error;
      }
    }
  }
  return reply(res, 400, { __type: 'UnknownOperationException', message: `Operation ${target || '(none)'} is not served locally.` });
}

const JSON_1_0 = 'application/x-amz-json-1.0';

async function handleSnsQuery(res: ServerResponse, body: string, { topics }: LocalAwsServerOptions): Promise<void> {
  const form = new URLSearchParams(body);
  const xml = (status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': crypto.randomUUID() });
    res.end(`<?xml version="1.0"?>\n${text}`);
  };
  const topicArn = form.get('TopicArn') ?? '';
  const topic = topics?.[topicArn];
  if (form.get('Action') !== 'Publish' || !topic) {
    return xml(
      400,
      `<ErrorResponse><Error><Type>Sender</Type><Code>${topic ? 'InvalidAction' : 'NotFound'}</Code><Message>${topic ? 'Only Publish is served locally.' : 'Topic does not exist'}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
    );
  }
  const attributes: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    attributes[form.get(`MessageAttributes.entry.${n}.Name`)!] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
  }
  await topic({ topicArn, subject: form.get('Subject') ?? undefined, message: form.get('Message') ?? '', attributes });
  const messageId = crypto.randomUUID();
  return xml(
    200,
    `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${messageId}</RequestId></ResponseMetadata></PublishResponse>`,
  );
}

function reply(res: ServerResponse, status: number, payload: unknown, contentType = 'application/x-amz-json-1.1'): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': crypto.randomUUID() });
  res.end(JSON.stringify(payload));
}
