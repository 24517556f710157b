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

  it('reads the rate-limit algorithm, fixed-window by default', () => {
    expect(resolveConfig({}, {}).rateLimitAlgorithm).toBe('fixed-window');
    expect(resolveConfig({}, { JUNCTION_RATE_LIMIT_ALGORITHM: 'token-bucket' }).rateLimitAlgorithm).toBe(
      'token-bucket',
    );
    expect(resolveConfig({}, { JUNCTION_RATE_LIMIT_ALGORITHM: ' Fixed-Window ' }).rateLimitAlgorithm).toBe(
      'fixed-window',
    );
  });

  it.each(['sliding-window', 'leaky-bucket', 'tokens'])(
    'refuses JUNCTION_RATE_LIMIT_ALGORITHM=%s with a message naming it',
    (value) => {
      expect(() => resolveConfig({}, { JUNCTION_RATE_LIMIT_ALGORITHM: value })).toThrow(
        /JUNCTION_RATE_LIMIT_ALGORITHM must be fixed-window or token-bucket/,
      );
    },
  );
});
