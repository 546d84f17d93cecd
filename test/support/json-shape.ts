/**
 * Differences in shape between a sample AWS event and one of ours: every field of the sample must be
 * present with the same JSON type, and strings in a recognisable format (times, ids) must keep it.
 * Returns the paths that differ, empty when the shapes agree.
 */
const FORMATS: Array<[string, RegExp]> = [
  ['ISO time without fraction', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/],
  ['CLF time', /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$/],
  ['ARN', /^arn:aws[a-z-]*:/],
  ['hex', /^[0-9a-f]{8,}$/i],
];

function formatOf(value: string): string | undefined {
  return FORMATS.find(([, pattern]) => pattern.test(value))?.[0];
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

export function shapeDifferences(sample: unknown, ours: unknown, path = '$', optional: readonly string[] = []): string[] {
  if (typeOf(sample) !== typeOf(ours)) return [`${path}: ${typeOf(ours)} instead of ${typeOf(sample)}`];
  if (typeof sample === 'string') {
    const expected = formatOf(sample);
    return expected && formatOf(ours as string) !== expected ? [`${path}: "${ours}" is not a ${expected}`] : [];
  }
  if (Array.isArray(sample)) {
    const items = ours as unknown[];
    return sample.length && items.length ? shapeDifferences(sample[0], items[0], `${path}[0]`, optional) : [];
  }
  if (typeOf(sample) !== 'object') return [];
  const theirs = sample as Record<string, unknown>;
  const mine = ours as Record<string, unknown>;
  return Object.keys(theirs).flatMap((field) => {
    const at = `${path}.${field}`;
    if (!(field in mine)) return optional.includes(at) ? [] : [`${at}: missing`];
    return shapeDifferences(theirs[field], mine[field], at, optional);
  });
}
