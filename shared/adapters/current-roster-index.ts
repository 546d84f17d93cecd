import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { UnitCode } from '../domain/units.ts';
import type { RosterEntry } from '../domain/monitoring/assemble-facts.ts';
import { ROSTER_INDEX_PREFIX, type RosterIndexFile } from './roster-index.ts';

/** A unit's current roster index, grouped by household for the API's reads of one household. */
export interface CurrentRosterIndex {
  unit: UnitCode;
  period: string;
  /** The members of a household on the current roster (by its 户编号, trimmed), a fresh array each call. */
  household(householdNo: string): RosterEntry[];
}

interface Held extends CurrentRosterIndex {
  etag: string;
  client: S3Client;
  bucket: string;
}

const held = new Map<UnitCode, Held>();

/**
 * A unit's roster index for the API, kept per process by the object's ETag: every call asks S3 with
 * `If-None-Match`, so a new snapshot is read as soon as it is written (never a stale roster), and an unchanged
 * one costs a 304 instead of a few MB of JSON parsed per request. It holds what a request would read anyway
 * (keyed hashes, masked IDs); tied to the client and bucket, as the secrets cache is.
 */
export async function currentRosterIndex(unit: UnitCode): Promise<CurrentRosterIndex | undefined> {
  const client = s3Client();
  const bucket = runtimeEnv().UPLOADS_BUCKET;
  const previous = held.get(unit);
  const usable = previous?.client === client && previous.bucket === bucket ? previous : undefined;
  try {
    const out = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: `${ROSTER_INDEX_PREFIX}${unit}.json`, IfNoneMatch: usable?.etag }),
    );
    const file = JSON.parse(await out.Body!.transformToString('utf8')) as RosterIndexFile;
    const index: Held = { ...grouped(file), etag: out.ETag ?? '', client, bucket };
    if (out.ETag) held.set(unit, index);
    else held.delete(unit);
    return index;
  } catch (error) {
    if (usable && (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) return usable;
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
      held.delete(unit);
      return undefined;
    }
    throw error;
  }
}

function grouped(file: RosterIndexFile): CurrentRosterIndex {
  const households = new Map<string, RosterEntry[]>();
  for (const entry of file.entries) {
    if (entry.unit !== file.unit) continue;
    const no = entry.householdNo.trim();
    const members = households.get(no);
    if (members) members.push(entry);
    else households.set(no, [entry]);
  }
  return { unit: file.unit, period: file.period, household: (no) => [...(households.get(no) ?? [])] };
}
