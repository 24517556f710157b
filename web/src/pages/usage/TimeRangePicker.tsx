import { Group, Select, TextInput } from '@mantine/core';
import { PRESET_LABELS, type RangePreset, type TimeRange } from './timeRange';

interface TimeRangePickerProps {
  value: TimeRange;
  onChange: (range: TimeRange) => void;
  /** The presets offered, in order. */
  presets: readonly RangePreset[];
  /** Why the custom range cannot be used, shown under its fields. */
  error?: string | undefined;
}

/** "Time range" (a preset or Custom) and, for Custom, "From" and "To" in local time. */
export function TimeRangePicker({ value, onChange, presets, error }: TimeRangePickerProps) {
  return (
    <Group gap="sm" align="flex-start" wrap="wrap">
      <Select
        label="Time range"
        w={170}
        allowDeselect={false}
        data={presets.map((preset) => ({ value: preset, label: PRESET_LABELS[preset] }))}
        value={value.preset}
        onChange={(preset) => {
          if (preset) onChange({ ...value, preset: preset as RangePreset });
        }}
      />
      {value.preset === 'custom' ? (
        <>
          <TextInput
            label="From"
            type="datetime-local"
            w={210}
            value={value.customFrom}
            onChange={(event) => onChange({ ...value, customFrom: event.currentTarget.value })}
            error={error}
          />
          <TextInput
            label="To"
            type="datetime-local"
            w={210}
            value={value.customTo}
            onChange={(event) => onChange({ ...value, customTo: event.currentTarget.value })}
          />
        </>
      ) : null}
    </Group>
  );
}
