import { Group, NumberInput, Select, TextInput } from '@mantine/core';
import { budgetPeriodLabels, budgetPeriods } from '../../api/budgets';
import type { BudgetDraft, BudgetProblems } from './budgetForm';

interface BudgetFieldsProps {
  value: BudgetDraft;
  onChange: (value: BudgetDraft) => void;
  /** Problems to show (local checks once submitted, then the API's). */
  problems: BudgetProblems;
  /** Starts each label ("Budget 1" gives "Budget 1 name"); empty for a single budget. */
  labelPrefix?: string;
}

/** Name, window, USD and token limits and the alert threshold of one budget. */
export function BudgetFields({ value, onChange, problems, labelPrefix = '' }: BudgetFieldsProps) {
  const label = (text: string) => (labelPrefix ? `${labelPrefix} ${text.toLowerCase()}` : text);
  return (
    <>
      <Group grow align="flex-start">
        <TextInput
          label={labelPrefix ? `${labelPrefix} name` : 'Budget name'}
          placeholder="monthly-spend"
          value={value.name}
          onChange={(event) => onChange({ ...value, name: event.currentTarget.value })}
          error={problems.name}
          required
        />
        <Select
          label={label('Window')}
          data={budgetPeriods.map((period) => ({ value: period, label: budgetPeriodLabels[period] }))}
          value={value.period}
          onChange={(period) => period && onChange({ ...value, period: period as BudgetDraft['period'] })}
          allowDeselect={false}
        />
      </Group>
      <Group grow align="flex-start">
        <TextInput
          label={label('Limit (USD)')}
          placeholder="250.00"
          inputMode="decimal"
          value={value.limitUsd}
          onChange={(event) => onChange({ ...value, limitUsd: event.currentTarget.value })}
          error={problems.limitUsd}
        />
        <NumberInput
          label={label('Limit (tokens)')}
          placeholder="none"
          min={1}
          allowDecimal={false}
          thousandSeparator=","
          value={value.limitTokens}
          onChange={(tokens) => onChange({ ...value, limitTokens: typeof tokens === 'number' ? tokens : '' })}
          error={problems.limitTokens}
        />
        <NumberInput
          label={label('Alert at (%)')}
          placeholder="none"
          min={1}
          max={100}
          value={value.alertAtPercent}
          onChange={(percent) =>
            onChange({ ...value, alertAtPercent: typeof percent === 'number' ? percent : '' })
          }
          error={problems.alertAtPercent}
        />
      </Group>
    </>
  );
}
