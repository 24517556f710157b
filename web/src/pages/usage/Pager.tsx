import { Button, Group, Select, Text } from '@mantine/core';
import { useState } from 'react';

/**
 * Keyset paging state for a list whose filter is `filterKey`: the cursors of the pages seen so far. A new filter
 * starts again at the first page.
 */
export function useCursorPages(filterKey: string) {
  const [state, setState] = useState<{ key: string; stack: Array<string | undefined> }>({
    key: filterKey,
    stack: [undefined],
  });
  const stack = state.key === filterKey ? state.stack : [undefined];
  return {
    cursor: stack[stack.length - 1],
    pageNumber: stack.length,
    next: (cursor: string) => setState({ key: filterKey, stack: [...stack, cursor] }),
    previous: () => setState({ key: filterKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
    first: () => setState({ key: filterKey, stack: [undefined] }),
  };
}

interface PagerProps {
  pageNumber: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
  limit: number;
  onLimit: (limit: number) => void;
  /** Rows on this page. */
  count: number;
  loading?: boolean;
}

/** Previous / Next page buttons, the page number and a rows-per-page choice. */
export function Pager({
  pageNumber,
  nextCursor,
  onNext,
  onPrevious,
  limit,
  onLimit,
  count,
  loading,
}: PagerProps) {
  return (
    <Group justify="space-between" wrap="wrap">
      <Text size="sm" c="dimmed">
        Page {pageNumber} · {count} {count === 1 ? 'row' : 'rows'}
      </Text>
      <Group gap="xs" align="flex-end">
        <Select
          label="Rows per page"
          size="xs"
          w={110}
          allowDeselect={false}
          data={['25', '50', '100', '200']}
          value={String(limit)}
          onChange={(value) => {
            if (value) onLimit(Number(value));
          }}
        />
        <Button size="xs" variant="default" disabled={pageNumber <= 1 || loading} onClick={onPrevious}>
          Previous page
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={!nextCursor || loading}
          onClick={() => {
            if (nextCursor) onNext(nextCursor);
          }}
        >
          Next page
        </Button>
      </Group>
    </Group>
  );
}
