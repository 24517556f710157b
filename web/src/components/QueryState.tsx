import { Button, Center, Loader } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';

interface QueryStateProps<T> {
  query: UseQueryResult<T>;
  /** What is being loaded, for the error title ("Could not load providers"). */
  label: string;
  children: (data: T) => ReactNode;
}

/** Renders a loader while pending, the problem detail on error, and `children` with the data. */
export function QueryState<T>({ query, label, children }: QueryStateProps<T>) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={`Loading ${label}`} />
      </Center>
    );
  }
  if (query.isError) {
    return (
      <ErrorAlert error={query.error} title={`Could not load ${label}`}>
        <Button size="xs" variant="light" color="red" mt="sm" onClick={() => query.refetch()}>
          Retry
        </Button>
      </ErrorAlert>
    );
  }
  return <>{children(query.data)}</>;
}
