/**
 * EventBridge event-pattern matching for the local bus: the same patterns the
 * CDK stack deploys as rules (shared/domain/routing.ts) decide, locally, which
 * handlers an event reaches. Semantics follow the EventBridge user guide
 * ("Content filtering", "Comparison operators") and AWS's open-source matcher,
 * Event Ruler, where the guide is silent.
 *
 * - A pattern object is an AND of its fields; `$or` holds alternatives.
 * - A field's list is an OR of its conditions: values (exact, type-sensitive,
 *   `null` and `""` are distinct) or `{operator: operand}` objects.
 * - Conditions apply to leaf values only. An event array matches when any
 *   element does; a sub-pattern over an array of objects must hold within one
 *   element (Event Ruler's "array consistency").
 */

type PatternObject = Record<string, unknown>;

const isObject = (value: unknown): value is PatternObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `event` (a full EventBridge envelope) matches `pattern`. Throws on a malformed pattern. */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  // Validating first lets the matcher trust the pattern's shape; once per pattern (routes match every event).
  if (!VALID_PATTERNS.has(pattern)) {
    assertValidPattern(pattern);
    VALID_PATTERNS.add(pattern);
  }
  return matchesObject(pattern, event);
}

const VALID_PATTERNS = new WeakSet<object>();

function matchesObject(pattern: PatternObject, value: unknown): boolean {
  if (Array.isArray(value) && value.length > 0) {
    return value.some((element) => matchesObject(pattern, element));
  }
  return Object.entries(pattern).every(([name, rule]) => {
    if (name === '$or') return (rule as PatternObject[]).some((alternative) => matchesObject(alternative, value));
    // A missing field (or a leaf where an object was expected) still has to be
    // evaluated: `exists: false` below it matches.
    const field = isObject(value) && Object.hasOwn(value, name) ? value[name] : undefined;
    return Array.isArray(rule) ? matchesField(rule, field) : matchesObject(rule as PatternObject, field);
  });
}

function matchesField(conditions: unknown[], field: unknown): boolean {
  const leaves = leafValues(field);
  return conditions.some((condition) =>
    isObject(condition) && 'exists' in condition
      ? condition.exists === leaves.length > 0
      : leaves.some((leaf) => matchesLeaf(condition, leaf)),
  );
}

/** The scalar values of a field: arrays are flattened, objects are not leaves. */
function leafValues(field: unknown): unknown[] {
  if (field === undefined) return [];
  if (Array.isArray(field)) return field.flatMap(leafValues);
  return isObject(field) ? [] : [field];
}

function matchesLeaf(condition: unknown, value: unknown): boolean {
  if (!isObject(condition)) return condition === value;
  const [operator, operand] = Object.entries(condition)[0];
  switch (operator) {
    case 'prefix':
      return matchesAffix(operand, value, (text, affix) => text.startsWith(affix));
    case 'suffix':
      return matchesAffix(operand, value, (text, affix) => text.endsWith(affix));
    case 'equals-ignore-case':
      return typeof value === 'string' && fold(value) === fold(operand as string);
    case 'wildcard':
      return typeof value === 'string' && compiledWildcard(operand as string).test(value);
    case 'anything-but':
      return !isExcluded(operand, value);
    case 'numeric':
      return typeof value === 'number' && satisfiesNumeric(operand as unknown[], value);
    case 'cidr':
      return typeof value === 'string' && inCidr(operand as string, value);
    default:
      throw new Error(`Unknown event-pattern operator "${operator}"`);
  }
}

const fold = (text: string): string => text.toLowerCase();

/** prefix/suffix take a string, or `{"equals-ignore-case": string}` to ignore case. */
function matchesAffix(operand: unknown, value: unknown, test: (text: string, affix: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  return isObject(operand) ? test(fold(value), fold(operand['equals-ignore-case'] as string)) : test(value, operand as string);
}

/**
 * Whether anything-but's operand names `value`. A value of another type is never
 * named (anything-but "5" matches the number 5), so anything-but matches it.
 */
function isExcluded(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.includes(value);
  if (!isObject(operand)) return operand === value;
  // {prefix|suffix|wildcard|equals-ignore-case: one or a list}: excluded if any would match.
  const [operator, operands] = Object.entries(operand)[0];
  return [operands].flat().some((single) => matchesLeaf({ [operator]: single }, value));
}

const COMPARISONS: Record<string, (value: number, bound: number) => boolean> = {
  '=': (value, bound) => value === bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
};

/** `["=", 5]`, `["<", 10]`, `[">", 0, "<=", 5]`: every operator/bound pair must hold. */
function satisfiesNumeric(terms: unknown[], value: number): boolean {
  for (let i = 0; i < terms.length; i += 2) {
    if (!COMPARISONS[terms[i] as string](value, terms[i + 1] as number)) return false;
  }
  return true;
}

/** Patterns are few and events many: each wildcard is compiled once. */
const WILDCARDS = new Map<string, RegExp>();
function compiledWildcard(wildcard: string): RegExp {
  let compiled = WILDCARDS.get(wildcard);
  if (!compiled) {
    compiled = wildcardRegExp(wildcard);
    WILDCARDS.set(wildcard, compiled);
  }
  return compiled;
}

/**
 * `*` matches any run of characters, none and `/` included; `\*` is a literal
 * star and `\\` a literal backslash. EventBridge rejects `**` and other escapes.
 */
function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i];
    if (char === '*') {
      if (wildcard[i + 1] === '*') throw new Error(`Consecutive "*" are not allowed in wildcard "${wildcard}"`);
      source += '.*';
    } else if (char === '\\') {
      const escaped = wildcard[++i];
      if (escaped !== '*' && escaped !== '\\') throw new Error(`Only "*" and "\\" can be escaped in wildcard "${wildcard}"`);
      source += `\\${escaped}`;
    } else {
      source += char.replace(/[\\^$.*+?()[\]{}|/]/, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

interface IpAddress {
  bits: 32 | 128;
  value: bigint;
}

function inCidr(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseIp(ip);
  if (!block || !address || address.bits !== block.bits) return false;
  const hostBits = BigInt(block.bits - block.prefixLength);
  return address.value >> hostBits === block.value >> hostBits;
}

/** `10.0.0.0/24`, `2001:db8::/32`; a bare address is a block of one. */
function parseCidr(cidr: string): (IpAddress & { prefixLength: number }) | undefined {
  const [ip, length, ...rest] = cidr.split('/');
  const address = parseIp(ip);
  if (!address || rest.length > 0) return undefined;
  const prefixLength = length === undefined ? address.bits : Number(length);
  if (!/^\d+$/.test(length ?? '0') || prefixLength > address.bits) return undefined;
  return { ...address, prefixLength };
}

function parseIp(text: string): IpAddress | undefined {
  if (!text.includes(':')) {
    const value = parseIpv4(text);
    return value === undefined ? undefined : { bits: 32, value };
  }
  const value = parseIpv6(text);
  return value === undefined ? undefined : { bits: 128, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) + BigInt(octet), 0n);
}

/** Full, `::`-compressed and IPv4-suffixed (`::ffff:10.0.0.1`) forms. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const last = groups[groups.length - 1];
    if (last.includes('.')) {
      const ipv4 = parseIpv4(last);
      if (ipv4 === undefined) return undefined;
      groups.splice(-1, 1, (ipv4 >> 16n).toString(16), (ipv4 & 0xffffn).toString(16));
    }
    return groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group)) ? groups : undefined;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return groups.reduce((value, group) => (value << 16n) + BigInt(`0x${group}`), 0n);
}

// ---------------------------------------------------------------------------
// Validation: what EventBridge's PutRule would refuse, with a message that says where.

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrList = (value: unknown): boolean => isString(value) || (Array.isArray(value) && value.length > 0 && value.every(isString));

/** Each operator's operand check: a problem description, or undefined when fine. */
const OPERAND_PROBLEMS: Record<string, (operand: unknown) => string | undefined> = {
  prefix: (operand) => affixProblem(operand),
  suffix: (operand) => affixProblem(operand),
  'equals-ignore-case': (operand) => (isString(operand) ? undefined : 'takes a string'),
  wildcard: (operand) => (isString(operand) ? wildcardProblem(operand) : 'takes a string'),
  'anything-but': anythingButProblem,
  numeric: numericProblem,
  cidr: (operand) => (isString(operand) && parseCidr(operand) ? undefined : 'takes an IPv4 or IPv6 block such as "10.0.0.0/24"'),
  exists: (operand) => (typeof operand === 'boolean' ? undefined : 'takes true or false'),
};

function affixProblem(operand: unknown): string | undefined {
  const ignoreCase = isObject(operand) && Object.keys(operand).length === 1 && isString(operand['equals-ignore-case']);
  return isString(operand) || ignoreCase ? undefined : 'takes a string or {"equals-ignore-case": string}';
}

function wildcardProblem(wildcard: string): string | undefined {
  try {
    wildcardRegExp(wildcard);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function anythingButProblem(operand: unknown): string | undefined {
  if (isString(operand) || typeof operand === 'number') return undefined;
  if (Array.isArray(operand)) {
    const allStrings = operand.every(isString);
    const allNumbers = operand.every((value) => typeof value === 'number');
    return operand.length > 0 && (allStrings || allNumbers) ? undefined : 'takes a list of all strings or all numbers';
  }
  const entries = isObject(operand) ? Object.entries(operand) : [];
  const [operator, value] = entries[0] ?? [];
  if (entries.length !== 1 || !['prefix', 'suffix', 'wildcard', 'equals-ignore-case'].includes(operator as string)) {
    return 'takes a value, a list, or one of {prefix|suffix|wildcard|equals-ignore-case: string | string[]}';
  }
  if (!isStringOrList(value)) return `{${operator}} takes a string or a list of strings`;
  if (operator === 'wildcard')
    return [value]
      .flat()
      .map((wildcard) => wildcardProblem(wildcard as string))
      .find(Boolean);
  return undefined;
}

function numericProblem(operand: unknown): string | undefined {
  const shape = 'takes ["=", n], ["<"|"<="|">"|">=", n] or [">"|">=", low, "<"|"<=", high]';
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) return shape;
  if (!operand.every((term, i) => (i % 2 === 0 ? isString(term) : typeof term === 'number' && Number.isFinite(term)))) return shape;
  const [first, , second] = operand as string[];
  if (!(first in COMPARISONS)) return `has an unknown operator "${first}"`;
  if (operand.length === 4 && !(['>', '>='].includes(first) && ['<', '<='].includes(second))) {
    return `range must be a lower bound (">"/">=") then an upper bound ("<"/"<="), got "${first}" and "${second}"`;
  }
  return undefined;
}

/** Throws an Error naming the offending path when `pattern` is not a well-formed event pattern. */
export function assertValidPattern(pattern: unknown): void {
  checkObject(pattern, '');
}

function fail(path: string, problem: string): never {
  throw new Error(`Invalid event pattern at ${path || '(root)'}: ${problem}`);
}

function checkObject(node: unknown, path: string): void {
  if (!isObject(node) || Object.keys(node).length === 0) fail(path, 'must be a non-empty object');
  for (const [name, rule] of Object.entries(node)) {
    const at = path ? `${path}.${name}` : name;
    if (name === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) fail(at, '$or takes a list of at least two sub-patterns');
      rule.forEach((alternative, i) => checkObject(alternative, `${at}[${i}]`));
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) fail(at, 'an empty list would match nothing');
      rule.forEach((condition) => checkCondition(condition, at));
    } else if (isObject(rule)) {
      checkObject(rule, at);
    } else {
      fail(at, `must be a list of values or conditions, e.g. [${JSON.stringify(rule)}]`);
    }
  }
}

function checkCondition(condition: unknown, at: string): void {
  if (condition === null || ['string', 'number', 'boolean'].includes(typeof condition)) return;
  if (!isObject(condition)) fail(at, `${JSON.stringify(condition)} is neither a value nor an {operator: operand} object`);
  const entries = Object.entries(condition);
  if (entries.length !== 1) fail(at, `a condition holds exactly one operator, got ${JSON.stringify(condition)}`);
  const [operator, operand] = entries[0];
  const problemOf = OPERAND_PROBLEMS[operator];
  if (!problemOf) fail(at, `unknown operator "${operator}"`);
  const problem = problemOf(operand);
  if (problem) fail(at, `${operator} ${problem}`);
}
