import { Button, Select, TextInput } from '@mantine/core';
import type { Option } from './names';

interface OptionFilterProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The choices; without them (no permission to list them, or not loaded) the filter is a text field. */
  options: Option[] | undefined;
  /** Shown in the text field without options. */
  placeholder?: string;
  w?: number;
}

/** A filter on one identifier: a searchable list when the names are known, else a text field for the id. */
export function OptionFilter({ label, value, onChange, options, placeholder, w = 200 }: OptionFilterProps) {
  if (options && options.length > 0) {
    // The current value stays selectable even when the list no longer has it (a deleted key).
    const data =
      value && !options.some((option) => option.value === value)
        ? [...options, { value, label: value }]
        : options;
    return (
      <Select
        label={label}
        w={w}
        data={data}
        value={value || null}
        onChange={(next) => onChange(next ?? '')}
        placeholder="Any"
        searchable
        clearable
        nothingFoundMessage="No match"
      />
    );
  }
  return (
    <TextInput
      label={label}
      w={w}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value.trim())}
      placeholder={placeholder ?? 'Any (exact id)'}
    />
  );
}

export type StatusClass = 'any' | 'success' | 'error';

/** The status class filter of the usage and request-log pages. */
export function StatusFilter({
  value,
  onChange,
}: {
  value: StatusClass;
  onChange: (value: StatusClass) => void;
}) {
  return (
    <Select
      label="Status"
      w={130}
      allowDeselect={false}
      data={[
        { value: 'any', label: 'Any' },
        { value: 'success', label: 'Success' },
        { value: 'error', label: 'Error' },
      ]}
      value={value}
      onChange={(status) => onChange((status ?? 'any') as StatusClass)}
    />
  );
}

/** Refresh, and Clear filters while any filter is set: the end of a filter bar. */
export function FilterActions({
  onRefresh,
  filtered,
  onClear,
}: {
  onRefresh: () => void;
  filtered: boolean;
  onClear: () => void;
}) {
  return (
    <>
      <Button variant="default" onClick={onRefresh}>
        Refresh
      </Button>
      {filtered ? (
        <Button variant="subtle" onClick={onClear}>
          Clear filters
        </Button>
      ) : null}
    </>
  );
}
