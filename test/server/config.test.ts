import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/server/config.js';

describe('resolveConfig', () => {
  it('reads the attempt cap and the outlier settings from the environment, with defaults', () => {
    const defaults = resolveConfig({}, {});
    expect(defaults).toMatchObject({
      maxAttempts: 3,
      ejectionFailures: 3,
      ejectionBaseMs: 5_000,
      ejectionMaxMs: 30_000,
    });
    const set = resolveConfig(
      {},
      {
        JUNCTION_MAX_ATTEMPTS: '5',
        JUNCTION_EJECTION_FAILURES: '5',
        JUNCTION_EJECTION_BASE_MS: '1000',
        JUNCTION_EJECTION_MAX_MS: '60000',
      },
    );
    expect(set).toMatchObject({
      maxAttempts: 5,
      ejectionFailures: 5,
      ejectionBaseMs: 1_000,
      ejectionMaxMs: 60_000,
    });
  });

  it.each(['0', '6', '2.5', 'many'])('refuses JUNCTION_MAX_ATTEMPTS=%s with a message naming it', (value) => {
    expect(() => resolveConfig({}, { JUNCTION_MAX_ATTEMPTS: value })).toThrow(/JUNCTION_MAX_ATTEMPTS/);
  });
});
