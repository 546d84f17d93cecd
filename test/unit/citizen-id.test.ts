import { describe, expect, it } from 'vitest';
import {
  ageOn,
  birthDateOf,
  citizenIdCheckChar,
  composeCitizenId,
  maskCitizenId,
  maskName,
  maskPhone,
  sexOf,
  validateCitizenId,
  type CitizenId,
} from '../../shared/domain/citizen-id.ts';
import { createPersonRefHasher, personRef } from '../../shared/domain/person-ref.ts';
import { createHmac } from 'node:crypto';

function valid(raw: string): CitizenId {
  const result = validateCitizenId(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.id;
}

describe('check digit (GB 11643, ISO 7064 MOD 11-2)', () => {
  it.each([
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
    ['33060219800101001', '5'],
    ['33062119650505012', '5'],
  ])('%s → %s', (first17, check) => {
    expect(citizenIdCheckChar(first17)).toBe(check);
  });

  it('accepts known valid numbers', () => {
    expect(validateCitizenId('11010519491231002X')).toEqual({ ok: true, id: '11010519491231002X' });
    expect(validateCitizenId('330602198001010015').ok).toBe(true);
    // Older Shaoxing codes: 绍兴县 330621, 上虞市 330682.
    expect(validateCitizenId('330621196505050125').ok).toBe(true);
    expect(validateCitizenId('330682197007070315').ok).toBe(true);
  });

  it('rejects births before 1900 even with a right check digit (GB 11643 example 440524188001010014)', () => {
    expect(validateCitizenId('440524188001010014')).toEqual({ ok: false, reason: '身份证号中的出生日期无效' });
  });

  it('normalises a lower-case x and surrounding spaces', () => {
    expect(validateCitizenId(' 11010519491231002x ')).toEqual({ ok: true, id: '11010519491231002X' });
  });

  it('rejects a wrong check digit', () => {
    const result = validateCitizenId('110105194912310021');
    expect(result).toEqual({ ok: false, reason: '身份证号校验位错误' });
  });
});

describe('validateCitizenId', () => {
  it.each([
    ['', '为空'],
    ['11010519491231002', '18位'],
    ['1101051949123100XX', '格式'],
    ['11010519491231002Y', '格式'],
    [composeLike('990105', '1949-12-31'), '地区码'],
    [composeLike('000105', '1949-12-31'), '地区码'],
    [composeLike('330602', '1980-02-30'), '出生日期'],
    [composeLike('330602', '1880-01-01'), '出生日期'],
  ])('rejects %j (%s) without echoing the number', (raw, fragment) => {
    const result = validateCitizenId(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(fragment);
      if (raw.length >= 6) expect(result.reason).not.toContain(raw.slice(0, 6));
    }
  });

  it('rejects a birth date after asOf, accepts it on asOf', () => {
    const id = composeCitizenId('330602', '2024-06-30', 1);
    expect(validateCitizenId(id, { asOf: '2024-06-29' })).toMatchObject({ ok: false });
    expect(validateCitizenId(id, { asOf: '2024-06-30' })).toMatchObject({ ok: true });
  });

  it.each([
    '330602',
    '330603',
    '330604',
    '330624',
    '330681',
    '330683',
    '330621',
    '330682',
    '810000',
    '820000',
    '830000',
    '710000',
    '650102',
  ])('accepts region %s', (region) => {
    expect(validateCitizenId(composeCitizenId(region, '1975-05-05', 123)).ok).toBe(true);
  });

  it.each(['160000', '240000', '380000', '470000', '550000', '660000', '720000', '840000', '910000'])(
    'rejects province of %s',
    (region) => {
      const first17 = `${region}19750505123`;
      expect(validateCitizenId(first17 + citizenIdCheckChar(first17)).ok).toBe(false);
    },
  );

  it('accepts 29 February in a leap year only', () => {
    expect(validateCitizenId(composeLike('330602', '2000-02-29')).ok).toBe(true);
    expect(validateCitizenId(composeLike('330602', '1900-02-29')).ok).toBe(false);
  });
});

/** An 18-char string with a correct check digit, whatever the other parts. */
function composeLike(region: string, birthDate: string): string {
  const first17 = `${region}${birthDate.replaceAll('-', '')}123`;
  return first17 + citizenIdCheckChar(first17);
}

describe('facts from the number', () => {
  const id = valid('11010519491231002X');
  it('birth date, sex and age', () => {
    expect(birthDateOf(id)).toBe('1949-12-31');
    expect(sexOf(id)).toBe('female');
    expect(sexOf(composeCitizenId('330602', '1980-01-01', 1))).toBe('male');
    expect(ageOn(id, '2024-12-30')).toBe(74);
    expect(ageOn(id, '2024-12-31')).toBe(75);
  });
  it('a 29 February birthday counts on 1 March in other years', () => {
    const leap = composeCitizenId('330602', '2008-02-29', 2);
    expect(ageOn(leap, '2024-02-28')).toBe(15);
    expect(ageOn(leap, '2024-02-29')).toBe(16);
    expect(ageOn(leap, '2023-02-28')).toBe(14);
    expect(ageOn(leap, '2023-03-01')).toBe(15);
  });
});

describe('masking', () => {
  it('masks an ID to region + last four', () => {
    expect(maskCitizenId(valid('11010519491231002X'))).toBe('110105********002X');
    expect(maskCitizenId('33060219800101123x')).toBe('330602********123X');
    expect(maskCitizenId('12345')).toBe('*****');
  });
  it.each([
    ['张三', '张*'],
    ['王小明', '王**'],
    ['欧阳修文', '欧阳**'],
    ['诸葛亮', '诸葛*'],
    ['欧阳', '欧*'],
    ['李', '*'],
    ['  陈芳 ', '陈*'],
  ])('name %s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });
  it.each([
    ['13812341234', '138****1234'],
    ['138 1234 1234', '138****1234'],
    ['0575-88123456', '057******3456'],
    ['110', '***'],
  ])('phone %s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('personRef', () => {
  const id = valid('11010519491231002X');
  const key = 'local-secret-0123456789abcdef';

  it('is HMAC-SHA-256 hex of the normalised ID', () => {
    const ref = personRef(id, key);
    expect(ref).toMatch(/^[0-9a-f]{64}$/);
    expect(ref).toBe(createHmac('sha256', key).update('11010519491231002X').digest('hex'));
  });

  it('is deterministic and the same for string and byte keys', () => {
    expect(personRef(id, key)).toBe(personRef(id, key));
    expect(personRef(id, new TextEncoder().encode(key))).toBe(personRef(id, key));
    expect(createPersonRefHasher(key)(id)).toBe(personRef(id, key));
    expect(personRef(valid('11010519491231002x'), key)).toBe(personRef(id, key));
  });

  it('depends on the key, and a mutated key array is not cached stale', () => {
    const bytes = new Uint8Array(32).fill(7);
    const first = personRef(id, bytes);
    bytes[0] = 8;
    const second = personRef(id, bytes);
    expect(second).not.toBe(first);
    expect(second).toBe(createHmac('sha256', Buffer.from(bytes)).update(id).digest('hex'));
    expect(personRef(id, key)).not.toBe(personRef(id, `${key}x`));
  });

  it('differs between people and never contains the number', () => {
    const other = composeCitizenId('330602', '1980-01-01', 1);
    expect(personRef(other, key)).not.toBe(personRef(id, key));
    expect(personRef(id, key)).not.toContain('19491231');
  });

  it('refuses an empty key', () => {
    expect(() => createPersonRefHasher('')).toThrow();
  });
});
