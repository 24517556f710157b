import {
  ActionIcon,
  Autocomplete,
  Button,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import type { TargetChoices } from '../../api/routing';
import {
  move,
  newTarget,
  type StrategyForm,
  type StrategyType,
  shares,
  type TargetForm,
  type TargetKind,
} from './routingForm';

interface TargetListProps {
  /** "Target" or "Fallback": field labels read "Target 1", "Target 1 weight". */
  noun: string;
  list: TargetForm[];
  onChange: (list: TargetForm[]) => void;
  weighted: boolean;
  /** The errors of this list's targets, by index. */
  errorOf: (index: number) => string | undefined;
  choices: TargetChoices | undefined;
  disabled?: boolean;
}

const kindOptions = [
  { value: 'model', label: 'Logical model' },
  { value: 'deployment', label: 'Pinned deployment' },
];

function TargetList({ noun, list, onChange, weighted, errorOf, choices, disabled }: TargetListProps) {
  const update = (index: number, patch: Partial<TargetForm>) =>
    onChange(list.map((each, at) => (at === index ? { ...each, ...patch } : each)));
  const percent = weighted ? shares(list) : [];
  return (
    <Stack gap="xs">
      {list.map((target, index) => {
        const label = `${noun} ${index + 1}`;
        return (
          <Group key={target.uid} gap="xs" align="flex-start" wrap="nowrap">
            <Select
              label={`${label} kind`}
              data={kindOptions}
              value={target.kind}
              onChange={(value) => value && update(index, { kind: value as TargetKind })}
              allowDeselect={false}
              disabled={disabled}
              size="xs"
              w={170}
            />
            <Autocomplete
              label={label}
              placeholder={target.kind === 'model' ? 'a logical model' : '<provider id>/<upstream model>'}
              data={(target.kind === 'model' ? choices?.models : choices?.deployments) ?? []}
              value={target.value}
              onChange={(value) => update(index, { value })}
              error={errorOf(index)}
              disabled={disabled}
              size="xs"
              style={{ flex: 1 }}
              maxDropdownHeight={240}
            />
            {weighted ? (
              <NumberInput
                label={`${label} weight`}
                description={`${percent[index] ?? 0}% first`}
                min={0}
                max={10_000}
                allowDecimal={false}
                value={target.weight}
                onChange={(value) => update(index, { weight: typeof value === 'number' ? value : 0 })}
                disabled={disabled}
                size="xs"
                w={150}
              />
            ) : null}
            <Group gap={2} wrap="nowrap" mt={22}>
              <ActionIcon
                variant="subtle"
                aria-label={`Move ${label.toLowerCase()} up`}
                disabled={disabled || index === 0}
                onClick={() => onChange(move(list, index, -1))}
              >
                ↑
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                aria-label={`Move ${label.toLowerCase()} down`}
                disabled={disabled || index === list.length - 1}
                onClick={() => onChange(move(list, index, 1))}
              >
                ↓
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove ${label.toLowerCase()}`}
                disabled={disabled}
                onClick={() => onChange(list.filter((_, at) => at !== index))}
              >
                ×
              </ActionIcon>
            </Group>
          </Group>
        );
      })}
      <Group>
        <Button
          size="compact-xs"
          variant="subtle"
          disabled={disabled}
          onClick={() => onChange([...list, newTarget()])}
        >
          Add {noun.toLowerCase()}
        </Button>
      </Group>
    </Stack>
  );
}

interface StrategyEditorProps {
  /** The path of this strategy in the API's errors: `default` or `rules.<n>.strategy`. */
  prefix: string;
  value: StrategyForm;
  onChange: (value: StrategyForm) => void;
  errors: ReadonlyMap<string, string>;
  choices: TargetChoices | undefined;
  disabled?: boolean;
  /** Names the strategy type control ("Default strategy", "Rule 1 strategy"). */
  label: string;
  /** Starts the targets' labels: "Default" gives "Default target 1", "Default fallback 1". */
  labelPrefix: string;
}

/** A fallback list (ordered) or a weighted split (with its own fallback list). */
export function StrategyEditor({
  prefix,
  value,
  onChange,
  errors,
  choices,
  disabled,
  label,
  labelPrefix,
}: StrategyEditorProps) {
  const strategyError = errors.get(prefix);
  return (
    <Stack gap="xs">
      <Group gap="sm" align="center">
        <Text size="sm" fw={500} id={`${prefix}-type`}>
          {label}
        </Text>
        <SegmentedControl
          size="xs"
          aria-labelledby={`${prefix}-type`}
          data={[
            { value: 'fallback', label: 'Fallback (in order)' },
            { value: 'split', label: 'Split (by weight)' },
          ]}
          value={value.type}
          onChange={(type) => onChange({ ...value, type: type as StrategyType })}
          disabled={disabled}
        />
      </Group>
      <Text size="xs" c="dimmed">
        {value.type === 'fallback'
          ? 'Targets are tried in this order: the next one after a 5xx, 429, connection failure or timeout.'
          : 'The first target is drawn by weight; the other targets follow in weighted order, then the fallback targets.'}
      </Text>
      {strategyError ? (
        <Text size="xs" c="red" role="alert">
          {strategyError}
        </Text>
      ) : null}
      <TargetList
        noun={`${labelPrefix} target`}
        list={value.targets}
        onChange={(targets) => onChange({ ...value, targets })}
        weighted={value.type === 'split'}
        errorOf={(index) => errors.get(`${prefix}.targets.${index}`)}
        choices={choices}
        disabled={disabled}
      />
      {value.type === 'split' ? (
        <Stack gap={4} pl="md" style={{ borderLeft: '2px solid var(--mantine-color-gray-3)' }}>
          <Text size="xs" fw={500}>
            Fallback after the split (optional)
          </Text>
          <TargetList
            noun={`${labelPrefix} fallback`}
            list={value.fallback}
            onChange={(fallback) => onChange({ ...value, fallback })}
            weighted={false}
            errorOf={(index) => errors.get(`${prefix}.fallback.${index}`)}
            choices={choices}
            disabled={disabled}
          />
        </Stack>
      ) : null}
    </Stack>
  );
}
