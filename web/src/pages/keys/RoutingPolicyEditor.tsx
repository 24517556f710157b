import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Paper,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { type ApiKeyView, useUpdateKey } from '../../api/keys';
import { useTargetChoices } from '../../api/routing';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import { PairRows } from './PairRows';
import {
  apiPolicyErrors,
  checkPolicy,
  move,
  newRule,
  type PolicyForm,
  policyForm,
  type RuleForm,
  toPolicy,
} from './routingForm';
import { StrategyEditor } from './StrategyEditor';

interface RuleEditorProps {
  rule: RuleForm;
  index: number;
  count: number;
  errors: ReadonlyMap<string, string>;
  choices: ReturnType<typeof useTargetChoices>['data'];
  disabled: boolean;
  onChange: (rule: RuleForm) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}

function RuleEditor({
  rule,
  index,
  count,
  errors,
  choices,
  disabled,
  onChange,
  onMove,
  onRemove,
}: RuleEditorProps) {
  const n = index + 1;
  const path = `rules.${index}`;
  const ruleError = errors.get(path);
  return (
    <Fieldset legend={`Rule ${n}${rule.name.trim() ? `: ${rule.name.trim()}` : ''}`} variant="default">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          <TextInput
            label={`Rule ${n} name`}
            placeholder="cheap-drafts"
            value={rule.name}
            onChange={(event) => onChange({ ...rule, name: event.currentTarget.value })}
            error={errors.get(`${path}.name`)}
            disabled={disabled}
            style={{ flex: 1 }}
            required
          />
          <Group gap={2} wrap="nowrap" mb={4}>
            <ActionIcon
              variant="subtle"
              aria-label={`Move rule ${n} up`}
              disabled={disabled || index === 0}
              onClick={() => onMove(-1)}
            >
              ↑
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              aria-label={`Move rule ${n} down`}
              disabled={disabled || index === count - 1}
              onClick={() => onMove(1)}
            >
              ↓
            </ActionIcon>
            <Button size="compact-xs" variant="subtle" color="red" disabled={disabled} onClick={onRemove}>
              Remove rule {n}
            </Button>
          </Group>
        </Group>
        {ruleError ? (
          <Text size="xs" c="red" role="alert">
            {ruleError}
          </Text>
        ) : null}
        <Text size="sm" fw={500}>
          Match (every part given must hold; an empty match takes every request)
        </Text>
        <TagsInput
          label={`Rule ${n} requested models`}
          description="Model names as requested; a trailing * matches a prefix (gpt-4*). Empty: any model."
          data={choices?.models ?? []}
          value={rule.models}
          onChange={(models) => onChange({ ...rule, models })}
          error={errors.get(`${path}.match.models`)}
          disabled={disabled}
          clearable
        />
        <Text size="xs" fw={500}>
          Headers (exact values; names are not case-sensitive)
        </Text>
        <PairRows
          noun={`Rule ${n} header`}
          rows={rule.headers}
          onChange={(headers) => onChange({ ...rule, headers })}
          error={errors.get(`${path}.match.headers`)}
          disabled={disabled}
          namePlaceholder="x-tier"
          valuePlaceholder="batch"
        />
        <Text size="xs" fw={500}>
          Metadata (the request body's metadata, or else the key's)
        </Text>
        <PairRows
          noun={`Rule ${n} metadata`}
          rows={rule.metadata}
          onChange={(metadata) => onChange({ ...rule, metadata })}
          error={errors.get(`${path}.match.metadata`)}
          disabled={disabled}
          namePlaceholder="feature"
          valuePlaceholder="summaries"
        />
        <TagsInput
          label={`Rule ${n} tags`}
          description="Tags the request carries in x-junction-tags; all must be present."
          value={rule.tags}
          onChange={(tags) => onChange({ ...rule, tags })}
          error={errors.get(`${path}.match.tags`)}
          disabled={disabled}
          clearable
        />
        <StrategyEditor
          prefix={`${path}.strategy`}
          label={`Rule ${n} strategy`}
          labelPrefix={`Rule ${n}`}
          value={rule.strategy}
          onChange={(strategy) => onChange({ ...rule, strategy })}
          errors={errors}
          choices={choices}
          disabled={disabled}
        />
      </Stack>
    </Fieldset>
  );
}

/** Editor of a key's routing policy: ordered rules and a default strategy; saving PATCHes the key. */
export function RoutingPolicyEditor({ apiKey, canWrite }: { apiKey: ApiKeyView; canWrite: boolean }) {
  const [form, setForm] = useState<PolicyForm>(() => policyForm(apiKey.routing));
  const [submitted, setSubmitted] = useState(false);
  const [saved, setSaved] = useState(false);
  const update = useUpdateKey();
  const choices = useTargetChoices();
  const disabled = !canWrite || apiKey.revokedAt !== null;

  const savedPolicy = useMemo(() => JSON.stringify(toPolicy(policyForm(apiKey.routing))), [apiKey.routing]);
  const dirty = JSON.stringify(toPolicy(form)) !== savedPolicy;
  const local = checkPolicy(form);
  const remote = apiPolicyErrors(update.error, form);
  const errors = new Map<string, string>([...(submitted ? local : []), ...remote]);

  const change = (next: PolicyForm) => {
    setForm(next);
    setSaved(false);
  };
  const setRule = (index: number, rule: RuleForm) =>
    change({ ...form, rules: form.rules.map((each, at) => (at === index ? rule : each)) });

  const save = async () => {
    setSubmitted(true);
    setSaved(false);
    if (local.size > 0) return;
    try {
      const key = await update.mutateAsync({ id: apiKey.id, patch: { routing: toPolicy(form) } });
      setForm(policyForm(key.routing));
      setSubmitted(false);
      setSaved(true);
    } catch {
      // update.error is shown next to the rules and targets concerned, and below
    }
  };

  const discard = () => {
    setForm(policyForm(apiKey.routing));
    setSubmitted(false);
    setSaved(false);
    update.reset();
  };

  return (
    <Stack gap="md">
      <div>
        <Title order={3}>Routing policy</Title>
        <Text size="sm" c="dimmed">
          Rules are checked in order and the first match wins; a request no rule matches uses the default
          strategy, or goes to the model it names when there is none. Changes apply on the key's next request
          after saving.
        </Text>
      </div>
      {choices.isError ? (
        <Alert color="yellow" variant="light" title="Could not load the models">
          <Text size="sm">Type model names and deployments yourself; the gateway checks them on save.</Text>
        </Alert>
      ) : null}
      {apiKey.revokedAt ? (
        <Alert color="gray" variant="light" title="This key is revoked">
          <Text size="sm">Its routing policy can no longer be changed.</Text>
        </Alert>
      ) : null}
      {form.rules.length === 0 ? (
        <Text size="sm" c="dimmed">
          No rules: every request uses the default strategy.
        </Text>
      ) : null}
      {form.rules.map((rule, index) => (
        <RuleEditor
          key={rule.uid}
          rule={rule}
          index={index}
          count={form.rules.length}
          errors={errors}
          choices={choices.data}
          disabled={disabled}
          onChange={(next) => setRule(index, next)}
          onMove={(delta) => change({ ...form, rules: move(form.rules, index, delta) })}
          onRemove={() => change({ ...form, rules: form.rules.filter((_, at) => at !== index) })}
        />
      ))}
      <Group>
        <Button
          variant="light"
          size="xs"
          disabled={disabled}
          onClick={() =>
            change({ ...form, rules: [...form.rules, newRule(`rule-${form.rules.length + 1}`)] })
          }
        >
          Add rule
        </Button>
      </Group>
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Text fw={500}>When no rule matches</Text>
          <Checkbox
            label="Use a default strategy (otherwise the request goes to the model it names)"
            checked={form.hasDefault}
            onChange={(event) => change({ ...form, hasDefault: event.currentTarget.checked })}
            disabled={disabled}
          />
          {form.hasDefault ? (
            <StrategyEditor
              prefix="default"
              label="Default strategy"
              labelPrefix="Default"
              value={form.default}
              onChange={(value) => change({ ...form, default: value })}
              errors={errors}
              choices={choices.data}
              disabled={disabled}
            />
          ) : null}
        </Stack>
      </Paper>
      {form.execution ? (
        <Text size="xs" c="dimmed">
          This policy also has execution settings (retries, deadlines, attempts); saving keeps them as they
          are.
        </Text>
      ) : null}
      {submitted && local.size > 0 ? (
        <Alert color="red" variant="light" title="Fix the marked fields">
          <Text size="sm">Some rules or targets are incomplete; see the messages next to them.</Text>
        </Alert>
      ) : null}
      <ErrorAlert error={update.error} title="Could not save the routing policy" />
      {saved && !dirty ? (
        <Alert color="teal" variant="light" title="Routing policy saved">
          <Text size="sm">It applies from the key's next request.</Text>
        </Alert>
      ) : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={discard} disabled={!dirty || update.isPending}>
          Discard changes
        </Button>
        <PermissionButton
          permission="keys.write"
          onClick={save}
          loading={update.isPending}
          blockedReason={apiKey.revokedAt ? 'This key is revoked.' : !dirty ? 'Nothing to save.' : null}
        >
          Save routing policy
        </PermissionButton>
      </Group>
    </Stack>
  );
}
