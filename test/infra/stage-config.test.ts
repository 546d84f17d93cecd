import { describe, expect, it } from 'vitest';
import { STAGE_DEFAULTS, STAGE_NAMES, stageConfig, stageConfigSchema, type StageConfigInput } from '../../infra/stage-config.ts';

const prod = STAGE_DEFAULTS.prod;
const rejects = (config: StageConfigInput, field: string) => {
  const result = stageConfigSchema.safeParse(config);
  expect(result.success).toBe(false);
  expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
};

describe('stage config', () => {
  it.each(STAGE_NAMES)('the %s defaults are valid', (stage) => {
    expect(stageConfig(stage).stage).toBe(stage);
  });

  it('keeps destroy and auto-delete to dev', () => {
    expect(stageConfig('dev')).toMatchObject({ removalPolicy: 'destroy', autoDeleteObjects: true });
    for (const stage of ['staging', 'prod'] as const) {
      expect(stageConfig(stage)).toMatchObject({ removalPolicy: 'retain', autoDeleteObjects: false, pointInTimeRecovery: true });
    }
    expect(stageConfig('prod').deletionProtection).toBe(true);
  });

  it('counts deadlines in calendar days with 90-day follow-ups unless a stage says otherwise', () => {
    for (const stage of STAGE_NAMES) expect(stageConfig(stage)).toMatchObject({ deadlineCounting: 'calendar', followUpDays: 90 });
    expect(stageConfigSchema.parse({ ...prod, deadlineCounting: 'working', followUpDays: 60 })).toMatchObject({
      deadlineCounting: 'working',
      followUpDays: 60,
    });
    rejects({ ...prod, deadlineCounting: 'lunar' as never }, 'deadlineCounting');
    rejects({ ...prod, followUpDays: 0 }, 'followUpDays');
  });

  it('rejects prod with DESTROY', () => {
    rejects({ ...prod, removalPolicy: 'destroy' }, 'removalPolicy');
  });

  it('rejects staging with DESTROY', () => {
    rejects({ ...STAGE_DEFAULTS.staging, removalPolicy: 'destroy' }, 'removalPolicy');
  });

  it('rejects auto-deleting objects of a retained stage', () => {
    rejects({ ...STAGE_DEFAULTS.staging, autoDeleteObjects: true }, 'autoDeleteObjects');
  });

  it('rejects prod without point-in-time recovery or deletion protection', () => {
    rejects({ ...prod, pointInTimeRecovery: false }, 'pointInTimeRecovery');
    rejects({ ...prod, deletionProtection: false }, 'deletionProtection');
  });

  it('rejects prod log retention under six months and retention values CloudWatch does not offer', () => {
    rejects({ ...prod, logRetentionDays: 90 }, 'logRetentionDays');
    rejects({ ...STAGE_DEFAULTS.dev, logRetentionDays: 10 }, 'logRetentionDays');
  });

  it('rejects a malformed account, region, email or memory override', () => {
    rejects({ ...prod, account: '1234' }, 'account');
    rejects({ ...prod, region: 'Singapore' }, 'region');
    rejects({ ...prod, alarmEmail: 'ops' }, 'alarmEmail');
    rejects({ ...prod, functionMemoryMb: { api: 64 } }, 'functionMemoryMb.api');
    expect(stageConfigSchema.safeParse({ ...prod, functionMemoryMb: { 'no-such-function': 512 } }).success).toBe(false);
  });

  it('keeps the medical fan-out threshold within the size limit (no medical CSV refused for its size)', () => {
    rejects({ ...prod, maxUploadBytes: 1024, fanOutAboveBytes: 2048 }, 'fanOutAboveBytes');
    expect(stageConfigSchema.safeParse({ ...prod, maxUploadBytes: 4096, fanOutAboveBytes: 2048 }).success).toBe(true);
  });

  it('applies deployment overrides and ignores unset ones', () => {
    const config = stageConfig('prod', { account: '123456789012', region: 'cn-northwest-1', alarmEmail: undefined });
    expect(config).toMatchObject({ account: '123456789012', region: 'cn-northwest-1', alarmEmail: prod.alarmEmail });
    expect(() => stageConfig('prod', { account: 'not-an-account' })).toThrow(/account/);
  });
});
