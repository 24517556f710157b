import type { ApiKeyView, KeySettingsInput } from '../../api/keys';
import { todayInputValue } from '../../lib/format';
import { newPair, type PairForm, pairsRecord } from './routingForm';

/** The settings a key's forms edit (create and edit share them). */
export interface KeyOptionsDraft {
  consumer: string;
  /** `YYYY-MM-DD` (the key stops working after the end of that day, local time), or empty for never. */
  expires: string;
  allowedModels: string[];
  requestsPerMinute: number | '';
  tokensPerMinute: number | '';
  captureBodies: boolean;
  metadata: PairForm[];
}

export function emptyKeyOptions(): KeyOptionsDraft {
  return {
    consumer: '',
    expires: '',
    allowedModels: [],
    requestsPerMinute: '',
    tokensPerMinute: '',
    captureBodies: false,
    metadata: [],
  };
}

/** A timestamp as the local `YYYY-MM-DD` of a date input. */
export function dateInputValue(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : todayInputValue(date);
}

/** `YYYY-MM-DD` from a date input → the end of that day in local time, as an ISO timestamp. */
export function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59.999`).toISOString();
}

export function keyOptions(key: ApiKeyView): KeyOptionsDraft {
  return {
    consumer: key.consumer ?? '',
    expires: dateInputValue(key.expiresAt),
    allowedModels: [...(key.allowedModels ?? [])],
    requestsPerMinute: key.requestsPerMinute ?? '',
    tokensPerMinute: key.tokensPerMinute ?? '',
    captureBodies: key.captureBodies,
    metadata: Object.entries(key.metadata).map(([name, value]) => newPair(name, value)),
  };
}

export function keyOptionProblems(draft: KeyOptionsDraft, previousExpires = ''): { expires?: string } {
  if (draft.expires && draft.expires !== previousExpires && draft.expires < todayInputValue())
    return { expires: 'Must be today or later' };
  return {};
}

/** Every setting as the API takes it; `operator` false leaves out what only an operator may set. */
export function keySettingsInput(draft: KeyOptionsDraft, operator: boolean): KeySettingsInput {
  const input: KeySettingsInput = {
    consumer: draft.consumer.trim() || null,
    expiresAt: draft.expires ? endOfDay(draft.expires) : null,
    metadata: pairsRecord(draft.metadata) ?? {},
  };
  if (operator) {
    input.allowedModels = draft.allowedModels.length > 0 ? draft.allowedModels : null;
    input.requestsPerMinute = draft.requestsPerMinute === '' ? null : draft.requestsPerMinute;
    input.tokensPerMinute = draft.tokensPerMinute === '' ? null : draft.tokensPerMinute;
    input.captureBodies = draft.captureBodies;
  }
  return input;
}

/** Only what changed from `key` (an unchanged expiry is not sent again: it may be in the past). */
export function keySettingsPatch(
  draft: KeyOptionsDraft,
  key: ApiKeyView,
  operator: boolean,
): KeySettingsInput {
  const next = keySettingsInput(draft, operator);
  const before = keySettingsInput(keyOptions(key), operator);
  const patch: KeySettingsInput = {};
  for (const field of Object.keys(next) as (keyof KeySettingsInput)[]) {
    if (field === 'expiresAt') {
      if (draft.expires !== dateInputValue(key.expiresAt)) patch.expiresAt = next.expiresAt;
      continue;
    }
    if (JSON.stringify(next[field]) !== JSON.stringify(before[field])) {
      (patch as Record<string, unknown>)[field] = next[field];
    }
  }
  return patch;
}
