import { describe, it, expect } from 'vitest';
import { assertValidPattern, matchesPattern } from '../../local/event-pattern.ts';
import { buildRoutes } from '../../shared/domain/routing.ts';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../shared/domain/events.ts';

type Json = Record<string, unknown>;

/** A full envelope around `detail`; `envelope` overrides top-level fields. */
function event(detail: Json, envelope: Json = {}): Json {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'Test Event',
    source: 'test.source',
    account: '111122223333',
    time: '2024-03-01T00:00:00Z',
    region: 'cn-north-1',
    resources: [],
    detail,
    ...envelope,
  };
}

/** [operator, case, pattern on detail, detail, expected] */
type Case = [string, string, Json, Json, boolean];

const cases: Case[] = [
  ['exact', 'equal string', { state: ['running'] }, { state: 'running' }, true],
  ['exact', 'other string', { state: ['running'] }, { state: 'stopped' }, false],
  ['exact', 'case-sensitive', { state: ['Running'] }, { state: 'running' }, false],
  ['exact', 'missing field', { state: ['running'] }, {}, false],
  ['exact', 'number', { count: [5] }, { count: 5 }, true],
  ['exact', 'number pattern vs string "5"', { count: [5] }, { count: '5' }, false],
  ['exact', 'string pattern vs number 5', { count: ['5'] }, { count: 5 }, false],
  ['exact', 'boolean', { flag: [true] }, { flag: true }, true],
  ['exact', 'boolean vs string "true"', { flag: [true] }, { flag: 'true' }, false],

  ['null/""', 'null matches null', { value: [null] }, { value: null }, true],
  ['null/""', 'null does not match ""', { value: [null] }, { value: '' }, false],
  ['null/""', 'null does not match a missing field', { value: [null] }, {}, false],
  ['null/""', '"" matches ""', { value: [''] }, { value: '' }, true],
  ['null/""', '"" does not match null', { value: [''] }, { value: null }, false],
  ['null/""', '"" does not match a missing field', { value: [''] }, {}, false],

  ['prefix', 'starts with', { region: [{ prefix: 'us-' }] }, { region: 'us-east-1' }, true],
  ['prefix', 'does not start with', { region: [{ prefix: 'us-' }] }, { region: 'eu-west-1' }, false],
  ['prefix', 'case-sensitive', { region: [{ prefix: 'us-' }] }, { region: 'US-east-1' }, false],
  ['prefix', 'strings only', { code: [{ prefix: '12' }] }, { code: 123 }, false],

  ['prefix ignore-case', 'lower case', { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'eventbridge' }, true],
  ['prefix ignore-case', 'upper case', { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'EVENTBRIDGE' }, true],
  ['prefix ignore-case', 'other prefix', { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'sqs-eventb' }, false],

  ['suffix', 'ends with', { file: [{ suffix: '.png' }] }, { file: 'photo.png' }, true],
  ['suffix', 'case-sensitive', { file: [{ suffix: '.png' }] }, { file: 'photo.PNG' }, false],
  ['suffix', 'does not end with', { file: [{ suffix: '.png' }] }, { file: 'photo.png.jpg' }, false],

  ['suffix ignore-case', 'upper case', { file: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { file: 'PHOTO.PNG' }, true],
  ['suffix ignore-case', 'mixed case', { file: [{ suffix: { 'equals-ignore-case': '.PNG' } }] }, { file: 'photo.Png' }, true],
  ['suffix ignore-case', 'other suffix', { file: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { file: 'photo.jpg' }, false],

  ['equals-ignore-case', 'upper case', { name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'ALICE' }, true],
  ['equals-ignore-case', 'mixed case', { name: [{ 'equals-ignore-case': 'ALICE' }] }, { name: 'Alice' }, true],
  ['equals-ignore-case', 'not a prefix match', { name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'Alicia' }, false],
  ['equals-ignore-case', 'missing field', { name: [{ 'equals-ignore-case': 'alice' }] }, {}, false],

  ['wildcard', '* spans /', { key: [{ wildcard: 'uploads/*/progress/*' }] }, { key: 'uploads/330602/progress/2024-03/r.csv' }, true],
  [
    'wildcard',
    'literal part differs',
    { key: [{ wildcard: 'uploads/*/progress/*' }] },
    { key: 'uploads/330602/roster/2024-03/r.csv' },
    false,
  ],
  ['wildcard', '* matches nothing', { key: [{ wildcard: 'dir/*' }] }, { key: 'dir/' }, true],
  ['wildcard', 'several stars', { key: [{ wildcard: 'a*b*c' }] }, { key: 'aXXbYYc' }, true],
  ['wildcard', 'several stars, part missing', { key: [{ wildcard: 'a*b*c' }] }, { key: 'aXXc' }, false],
  ['wildcard', 'anchored at both ends', { key: [{ wildcard: '*rep' }] }, { key: 'report' }, false],
  ['wildcard', 'escaped star is literal', { key: [{ wildcard: 'price\\*' }] }, { key: 'price*' }, true],
  ['wildcard', 'escaped star is not a wildcard', { key: [{ wildcard: 'price\\*' }] }, { key: 'price10' }, false],
  ['wildcard', 'escaped backslash', { key: [{ wildcard: 'a\\\\*' }] }, { key: 'a\\b' }, true],
  ['wildcard', 'regex characters are literal', { key: [{ wildcard: 'a.c*' }] }, { key: 'abcd' }, false],
  ['wildcard', 'strings only', { key: [{ wildcard: '1*' }] }, { key: 123 }, false],

  ['anything-but', 'other value', { state: [{ 'anything-but': 'initializing' }] }, { state: 'running' }, true],
  ['anything-but', 'the excluded value', { state: [{ 'anything-but': 'initializing' }] }, { state: 'initializing' }, false],
  ['anything-but', 'missing field', { state: [{ 'anything-but': 'initializing' }] }, {}, false],
  ['anything-but', 'value of another type', { state: [{ 'anything-but': '5' }] }, { state: 5 }, true],
  ['anything-but', 'list: outside', { state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { state: 'running' }, true],
  ['anything-but', 'list: inside', { state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { state: 'overloaded' }, false],
  ['anything-but', 'numbers: outside', { limit: [{ 'anything-but': [100, 200] }] }, { limit: 150 }, true],
  ['anything-but', 'numbers: inside', { limit: [{ 'anything-but': [100, 200] }] }, { limit: 200 }, false],
  ['anything-but', 'array: one element outside', { tags: [{ 'anything-but': 'a' }] }, { tags: ['a', 'b'] }, true],
  ['anything-but', 'array: all elements inside', { tags: [{ 'anything-but': 'a' }] }, { tags: ['a'] }, false],

  ['anything-but prefix', 'other prefix', { region: [{ 'anything-but': { prefix: 'us-' } }] }, { region: 'eu-west-1' }, true],
  ['anything-but prefix', 'the prefix', { region: [{ 'anything-but': { prefix: 'us-' } }] }, { region: 'us-east-1' }, false],
  ['anything-but prefix', 'missing field', { region: [{ 'anything-but': { prefix: 'us-' } }] }, {}, false],

  ['anything-but suffix', 'other suffix', { file: [{ 'anything-but': { suffix: '.png' } }] }, { file: 'a.jpg' }, true],
  ['anything-but suffix', 'the suffix', { file: [{ 'anything-but': { suffix: '.png' } }] }, { file: 'a.png' }, false],
  ['anything-but suffix', 'list', { file: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] }, { file: 'a.jpg' }, false],

  ['anything-but wildcard', 'outside', { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { path: '/usr/bin/x' }, true],
  ['anything-but wildcard', 'inside', { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { path: '/usr/lib/x' }, false],
  [
    'anything-but wildcard',
    'list: outside all',
    { key: [{ 'anything-but': { wildcard: ['uploads/*/progress/*', 'results/*'] } }] },
    { key: 'uploads/1/bogus/x' },
    true,
  ],
  [
    'anything-but wildcard',
    'list: inside one',
    { key: [{ 'anything-but': { wildcard: ['uploads/*/progress/*', 'results/*'] } }] },
    { key: 'results/x' },
    false,
  ],

  [
    'anything-but ignore-case',
    'other value',
    { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
    { state: 'running' },
    true,
  ],
  [
    'anything-but ignore-case',
    'excluded in another case',
    { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
    { state: 'INITIALIZING' },
    false,
  ],
  ['anything-but ignore-case', 'list', { state: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] }, { state: 'B' }, false],

  ['numeric', '= equal', { count: [{ numeric: ['=', 5] }] }, { count: 5 }, true],
  ['numeric', '= other', { count: [{ numeric: ['=', 5] }] }, { count: 6 }, false],
  ['numeric', '= same value, other spelling', { limit: [{ numeric: ['=', 3.018e2] }] }, { limit: 301.8 }, true],
  ['numeric', 'range inside', { count: [{ numeric: ['>', 0, '<=', 5] }] }, { count: 5 }, true],
  ['numeric', 'range, open lower bound', { count: [{ numeric: ['>', 0, '<=', 5] }] }, { count: 0 }, false],
  ['numeric', 'range above', { count: [{ numeric: ['>', 0, '<=', 5] }] }, { count: 5.5 }, false],
  ['numeric', '< bound', { count: [{ numeric: ['<', 10] }] }, { count: 10 }, false],
  ['numeric', '>= bound', { count: [{ numeric: ['>=', 10] }] }, { count: 10 }, true],
  ['numeric', 'never a string', { count: [{ numeric: ['=', 5] }] }, { count: '5' }, false],
  ['numeric', 'never a numeric string in range', { count: [{ numeric: ['>', 0] }] }, { count: '10' }, false],
  ['numeric', 'missing field', { count: [{ numeric: ['>', 0] }] }, {}, false],

  ['cidr', 'IPv4 inside /24', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }, true],
  ['cidr', 'IPv4 outside /24', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.1' }, false],
  ['cidr', 'IPv4 inside /8', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.200.3.4' }, true],
  ['cidr', 'IPv6 inside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1234::1' }, true],
  ['cidr', 'IPv6 uncompressed inside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:0db8:0000:0000:0000:0000:0000:ffff' }, true],
  ['cidr', 'IPv6 outside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
  ['cidr', 'IPv6 /128', { ip: [{ cidr: '::1/128' }] }, { ip: '::1' }, true],
  ['cidr', 'IPv4 address vs IPv6 block', { ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }, false],
  ['cidr', 'not an address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'localhost' }, false],

  ['exists', 'true: present', { c: [{ exists: true }] }, { c: 'x' }, true],
  ['exists', 'true: present as null', { c: [{ exists: true }] }, { c: null }, true],
  ['exists', 'true: missing', { c: [{ exists: true }] }, {}, false],
  ['exists', 'true: an object is not a leaf', { c: [{ exists: true }] }, { c: { c1: 100 } }, false],
  ['exists', 'false: missing', { c: [{ exists: false }] }, { other: 1 }, true],
  ['exists', 'false: present', { c: [{ exists: false }] }, { c: 0 }, false],
  ['exists', 'false: an object is not a leaf', { c: [{ exists: false }] }, { c: { c1: 100 } }, true],
  ['exists', 'false: parent missing', { a: { b: [{ exists: false }] } }, {}, true],

  ['arrays', 'any element', { tags: ['b'] }, { tags: ['a', 'b'] }, true],
  ['arrays', 'no element', { tags: ['b'] }, { tags: ['a', 'c'] }, false],
  ['arrays', 'operator on elements', { tags: [{ prefix: 'x-' }] }, { tags: ['a', 'x-1'] }, true],
  ['arrays', 'objects: one element matches', { items: { name: ['x'] } }, { items: [{ name: 'y' }, { name: 'x' }] }, true],
  [
    'arrays',
    'objects: fields from two elements do not combine',
    { items: { name: ['x'], size: [2] } },
    {
      items: [
        { name: 'x', size: 1 },
        { name: 'y', size: 2 },
      ],
    },
    false,
  ],
  [
    'arrays',
    'objects: fields in one element',
    { items: { name: ['x'], size: [2] } },
    {
      items: [
        { name: 'y', size: 1 },
        { name: 'x', size: 2 },
      ],
    },
    true,
  ],

  ['nested', 'two levels', { bucket: { name: ['b'] } }, { bucket: { name: 'b' } }, true],
  ['nested', 'two levels, other value', { bucket: { name: ['b'] } }, { bucket: { name: 'c' } }, false],
  ['nested', 'leaf where an object is expected', { bucket: { name: ['b'] } }, { bucket: 'b' }, false],
  ['nested', 'three levels', { a: { b: { c: [1] } } }, { a: { b: { c: 1, d: 2 } } }, true],

  ['$or', 'first alternative', { $or: [{ a: [1] }, { b: [2] }] }, { a: 1, b: 0 }, true],
  ['$or', 'second alternative', { $or: [{ a: [1] }, { b: [2] }] }, { a: 0, b: 2 }, true],
  ['$or', 'no alternative', { $or: [{ a: [1] }, { b: [2] }] }, { a: 0, b: 0 }, false],
  ['$or', 'ANDed with a sibling', { c: [3], $or: [{ a: [1] }, { b: [2] }] }, { a: 1, c: 4 }, false],
  ['$or', 'nested $or', { $or: [{ a: [1] }, { b: [2], $or: [{ c: [3] }, { d: [4] }] }] }, { b: 2, d: 4 }, true],
  ['$or', 'nested $or, inner fails', { $or: [{ a: [1] }, { b: [2], $or: [{ c: [3] }, { d: [4] }] }] }, { b: 2, d: 5 }, false],
  ['$or', 'alternative with exists:false', { $or: [{ a: [1] }, { a: [{ exists: false }] }] }, { b: 1 }, true],

  ['field list', 'values and operators are ORed', { state: ['on', { prefix: 'st' }] }, { state: 'stopped' }, true],
  ['field list', 'none holds', { state: ['on', { prefix: 'st' }] }, { state: 'off' }, false],
  ['field list', 'two numeric ranges', { x: [{ numeric: ['<', 0] }, { numeric: ['>', 10] }] }, { x: 11 }, true],
  ['field list', 'between the ranges', { x: [{ numeric: ['<', 0] }, { numeric: ['>', 10] }] }, { x: 5 }, false],

  ['AND', 'all fields hold', { state: ['on'], count: [{ numeric: ['>', 1] }] }, { state: 'on', count: 2 }, true],
  ['AND', 'one field fails', { state: ['on'], count: [{ numeric: ['>', 1] }] }, { state: 'on', count: 1 }, false],
  ['AND', 'one field missing', { state: ['on'], count: [{ numeric: ['>', 1] }] }, { state: 'on' }, false],
];

describe('matchesPattern', () => {
  it.each(cases)('%s: %s', (_operator, _case, detailPattern, detail, expected) => {
    expect(matchesPattern({ detail: detailPattern }, event(detail))).toBe(expected);
  });

  it.each<[string, Json, Json, boolean]>([
    [
      'envelope fields',
      { source: ['aws.s3'], 'detail-type': ['Object Created'] },
      { source: 'aws.s3', 'detail-type': 'Object Created' },
      true,
    ],
    [
      'envelope field differs',
      { source: ['aws.s3'], 'detail-type': ['Object Created'] },
      { source: 'aws.s3', 'detail-type': 'Object Deleted' },
      false,
    ],
    ['resources: any element', { resources: ['arn:aws:s3:::b'] }, { resources: ['arn:aws:s3:::a', 'arn:aws:s3:::b'] }, true],
    ['resources: no element', { resources: ['arn:aws:s3:::b'] }, { resources: [] }, false],
    [
      'top-level $or: first',
      { source: ['s'], $or: [{ 'detail-type': ['A'] }, { detail: { x: [1] } }] },
      { source: 's', 'detail-type': 'A' },
      true,
    ],
    [
      'top-level $or: second',
      { source: ['s'], $or: [{ 'detail-type': ['A'] }, { detail: { x: [1] } }] },
      { source: 's', 'detail-type': 'B', detail: { x: 1 } },
      true,
    ],
    [
      'top-level $or: neither',
      { source: ['s'], $or: [{ 'detail-type': ['A'] }, { detail: { x: [1] } }] },
      { source: 's', 'detail-type': 'B' },
      false,
    ],
    [
      'top-level $or: sibling fails',
      { source: ['s'], $or: [{ 'detail-type': ['A'] }, { detail: { x: [1] } }] },
      { source: 't', 'detail-type': 'A' },
      false,
    ],
  ])('%s', (_case, pattern, envelope, expected) => {
    expect(matchesPattern(pattern, event({}, envelope))).toBe(expected);
  });

  it('refuses a malformed pattern rather than guessing', () => {
    expect(() => matchesPattern({ source: 'aws.s3' }, event({}))).toThrow(/source/);
  });
});

describe('assertValidPattern', () => {
  it.each(cases)('accepts %s: %s', (_operator, _case, detailPattern) => {
    expect(() => assertValidPattern({ detail: detailPattern })).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ['a leaf that is not a list', { source: 'aws.s3' }, /at source: must be a list/],
    ['an unknown operator', { detail: { x: [{ regex: 'a.*' }] } }, /at detail\.x: unknown operator "regex"/],
    ['two operators in one condition', { x: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
    ['an empty list', { x: [] }, /empty list/],
    ['an empty pattern', {}, /non-empty object/],
    ['numeric with a bad operator', { x: [{ numeric: ['!=', 1] }] }, /unknown operator "!="/],
    ['numeric range in the wrong order', { x: [{ numeric: ['<', 5, '>', 0] }] }, /lower bound/],
    ['numeric with a string bound', { x: [{ numeric: ['>', '5'] }] }, /numeric takes/],
    ['anything-but with mixed types', { x: [{ 'anything-but': ['a', 1] }] }, /all strings or all numbers/],
    ['anything-but with an unsupported operator', { x: [{ 'anything-but': { numeric: ['>', 1] } }] }, /anything-but takes/],
    ['consecutive wildcards', { x: [{ wildcard: 'a**b' }] }, /Consecutive/],
    ['a bad escape in a wildcard', { x: [{ wildcard: 'a\\b' }] }, /can be escaped/],
    ['a bad CIDR block', { x: [{ cidr: '10.0.0.0/33' }] }, /cidr takes/],
    ['exists with a non-boolean', { x: [{ exists: 'yes' }] }, /exists takes true or false/],
    ['$or with one alternative', { $or: [{ x: [1] }] }, /at least two/],
    ['a nested list as a value', { x: [['a']] }, /neither a value nor/],
  ])('rejects %s', (_case, pattern, message) => {
    expect(() => assertValidPattern(pattern)).toThrow(message);
  });
});

describe('the routing table on the local matcher', () => {
  const routes = buildRoutes({ uploadsBucketName: 'uploads-bucket' });
  const routesFor = (envelope: Json): string[] =>
    routes.filter((route) => matchesPattern(route.pattern, envelope)).map((route) => route.id);
  const objectCreated = (key: string, bucket = 'uploads-bucket'): Json =>
    event(
      {
        version: '0',
        bucket: { name: bucket },
        object: { key, size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '617f08299329d189' },
        'request-id': 'N4N7GDK58NMKJ12R',
        requester: '111122223333',
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
      { source: 'aws.s3', 'detail-type': 'Object Created', resources: [`arn:aws:s3:::${bucket}`] },
    );

  it('has only valid patterns', () => {
    for (const route of routes) expect(() => assertValidPattern(route.pattern), route.id).not.toThrow();
  });

  it.each<[string, string[]]>([
    ['uploads/330602/progress/2024-03/report.csv', ['ingest-progress-uploads']],
    ['uploads/330602/roster/2024-03/低收入人口名册 三月.xlsx', ['ingest-roster-uploads']],
    ['uploads/330602/visits/2024-03/visits.csv', ['ingest-roster-uploads']],
    ['uploads/330602/medical/2024-03/medical.csv', ['match-dataset-uploads']],
    ['uploads/330602/assets/2024-03/assets.csv', ['match-dataset-uploads']],
    ['uploads/330602/bogus/2024-03/x.csv', ['reject-upload-unknown-keys']],
    ['uploads/330602/report.csv', ['reject-upload-unknown-keys']],
    ['results/uploads/330602/progress/2024-03/report.csv/summary.json', []],
    ['results/anything', []],
  ])('routes an upload of %s to %j', (key, expected) => {
    expect(routesFor(objectCreated(key))).toEqual(expected);
  });

  it('ignores objects created in another bucket', () => {
    expect(routesFor(objectCreated('uploads/330602/progress/2024-03/report.csv', 'other-bucket'))).toEqual([]);
  });

  it.each(['external.data-exchange', EVENT_SOURCE])('routes Data Matched from %s to evaluate-data-matched', (source) => {
    expect(routesFor(event({ personRef: 'f'.repeat(64) }, { source, 'detail-type': DETAIL_TYPES.dataMatched }))).toEqual([
      'evaluate-data-matched',
    ]);
  });

  it('routes platform notices from the platform only, and of new alerts only the red ones', () => {
    const raised = (level: string, source = EVENT_SOURCE) => event({ level }, { source, 'detail-type': DETAIL_TYPES.alertRaised });
    expect(routesFor(raised('red'))).toEqual(['notify-red-alerts']);
    expect(routesFor(raised('orange'))).toEqual([]);
    expect(routesFor(raised('yellow'))).toEqual([]);
    expect(routesFor(raised('red', 'someone.else'))).toEqual([]);
    expect(routesFor(event({ level: 'orange' }, { source: EVENT_SOURCE, 'detail-type': DETAIL_TYPES.alertEscalated }))).toEqual([
      'notify-platform-notices',
    ]);
  });
});
