import { Group, MultiSelect, Paper, Radio, Stack, TagsInput, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { type LogicalModel, useAudienceKeys, useAudienceTeams, useUpdateModel } from '../../api/models';
import { useCan } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import {
  type AudienceFormState,
  audienceOf,
  audienceUnchanged,
  toAudienceInput,
  validateAudience,
} from './modelForm';

/** Options for ids: the known ones by name, plus any chosen id the list does not hold (kept visible). */
function optionsOf(known: { value: string; label: string }[] | undefined, chosen: string[]) {
  const options = [...(known ?? [])];
  for (const id of chosen) {
    if (!options.some((option) => option.value === id)) options.push({ value: id, label: id });
  }
  return options;
}

/** Who may call the model: every key, or chosen teams and keys (others get the not-found of an unknown model). */
export function AudienceCard({ model }: { model: LogicalModel }) {
  const canWrite = useCan('models.write');
  const canReadTeams = useCan('teams.read');
  const canReadKeys = useCan('keys.read');
  const teams = useAudienceTeams(canReadTeams);
  const keys = useAudienceKeys(canReadKeys);
  const update = useUpdateModel();
  const [form, setForm] = useState<AudienceFormState>(() => audienceOf(model));
  const [submitted, setSubmitted] = useState(false);

  const problem = validateAudience(form);
  const unchanged = audienceUnchanged(form, model.audience);
  const set = (next: Partial<AudienceFormState>) => {
    update.reset();
    setForm((current) => ({ ...current, ...next }));
  };

  const save = () => {
    setSubmitted(true);
    if (problem || unchanged) return;
    update.mutate({ id: model.id, patch: { audience: toAudienceInput(form) } });
  };

  const teamOptions = teams.data?.map((team) => ({ value: team.id, label: `${team.name} (${team.id})` }));
  const keyOptions = keys.data?.map((key) => {
    const team = teams.data?.find((entry) => entry.id === key.teamId)?.name ?? key.teamId;
    const revoked = key.revokedAt ? ', revoked' : '';
    return { value: key.id, label: `${key.name} (${key.prefix}…, ${team}, ${key.environment}${revoked})` };
  });
  const apiProblem = fieldError(update.error, 'audience');

  return (
    <Paper withBorder p="md" radius="md" aria-label="Audience">
      <Stack>
        <div>
          <Title order={4}>Audience</Title>
          <Text size="sm" c="dimmed">
            Who may call {model.id}. Any other key gets the same not-found answer as for a model that does not
            exist, and does not see it in GET /v1/models.
          </Text>
        </div>
        <Radio.Group
          label="Who may call it"
          value={form.mode}
          onChange={(value) => set({ mode: value as AudienceFormState['mode'] })}
        >
          <Stack gap="xs" mt="xs">
            <Radio value="everyone" label="Everyone: every API key" disabled={!canWrite} />
            <Radio value="chosen" label="Only chosen teams and keys" disabled={!canWrite} />
          </Stack>
        </Radio.Group>
        {form.mode === 'chosen' ? (
          <Stack gap="sm">
            {canReadTeams ? (
              <MultiSelect
                label="Teams"
                description="Every key of these teams"
                placeholder={teams.isPending ? 'Loading teams…' : 'Choose teams'}
                data={optionsOf(teamOptions, form.teams)}
                value={form.teams}
                onChange={(value) => set({ teams: value })}
                error={
                  fieldError(update.error, 'audience.teams') ??
                  (teams.isError ? 'Could not load the teams' : undefined)
                }
                searchable
                clearable
                disabled={!canWrite}
              />
            ) : (
              <TagsInput
                label="Teams"
                description="Team ids (your role cannot list teams); press Enter after each"
                value={form.teams}
                onChange={(value) => set({ teams: value })}
                error={fieldError(update.error, 'audience.teams')}
                disabled={!canWrite}
              />
            )}
            {canReadKeys ? (
              <MultiSelect
                label="Keys"
                description="Single API keys, whatever their team"
                placeholder={keys.isPending ? 'Loading keys…' : 'Choose keys'}
                data={optionsOf(keyOptions, form.keys)}
                value={form.keys}
                onChange={(value) => set({ keys: value })}
                error={
                  fieldError(update.error, 'audience.keys') ??
                  (keys.isError ? 'Could not load the keys' : undefined)
                }
                searchable
                clearable
                disabled={!canWrite}
              />
            ) : (
              <TagsInput
                label="Keys"
                description="Key ids (your role cannot list keys); press Enter after each"
                value={form.keys}
                onChange={(value) => set({ keys: value })}
                error={fieldError(update.error, 'audience.keys')}
                disabled={!canWrite}
              />
            )}
          </Stack>
        ) : null}
        {(submitted && problem) || apiProblem ? (
          <Text size="sm" c="red">
            {(submitted && problem) || apiProblem}
          </Text>
        ) : null}
        <ErrorAlert error={update.error} title="Could not save the audience" />
        <Group justify="flex-end" gap="sm">
          {update.isSuccess && unchanged ? (
            <Text size="sm" c="teal" role="status">
              Audience saved
            </Text>
          ) : null}
          <PermissionButton
            permission="models.write"
            onClick={save}
            loading={update.isPending}
            blockedReason={unchanged ? 'Nothing changed yet' : null}
          >
            Save audience
          </PermissionButton>
        </Group>
      </Stack>
    </Paper>
  );
}
