import '@mantine/charts/styles.css';
import { AreaChart, LineChart } from '@mantine/charts';
import { Paper, SimpleGrid, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { UsageBucket, UsageSeriesPoint } from '../../api/usage';
import { formatCount, formatMs } from './format';
import { bucketLabel, bucketStarts } from './timeRange';

export interface ChartPoint {
  bucket: string;
  label: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  p50: number | null;
  p95: number | null;
}

/**
 * One point per bucket of the window: the server leaves out buckets without requests, so those are added here as
 * zero (latency as a gap). Buckets the server answered are always kept, even ones the window did not predict.
 */
export function chartPoints(
  points: readonly UsageSeriesPoint[],
  window: { from: string; to: string },
  bucket: UsageBucket,
): ChartPoint[] {
  const byBucket = new Map(points.map((point) => [point.bucket, point]));
  const starts = new Set(bucketStarts(window.from, window.to, bucket) ?? []);
  for (const point of points) starts.add(point.bucket);
  const span = Date.parse(window.to) - Date.parse(window.from);
  return [...starts].sort().map((start) => {
    const point = byBucket.get(start);
    return {
      bucket: start,
      label: bucketLabel(start, bucket, span),
      requests: point?.requests ?? 0,
      errors: point?.errors ?? 0,
      promptTokens: point?.promptTokens ?? 0,
      completionTokens: point?.completionTokens ?? 0,
      cost: point ? Number(point.costUsd) : 0,
      p50: point?.latencyP50Ms ?? null,
      p95: point?.latencyP95Ms ?? null,
    };
  });
}

function ChartCard({
  title,
  description,
  children,
}: {
  title: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Text fw={600} size="sm">
        {title}
      </Text>
      <Text size="xs" c="dimmed" mb="sm">
        {description}
      </Text>
      {children}
    </Paper>
  );
}

const usd = (value: number) =>
  `$${value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: value >= 1 ? 2 : 6 })}`;

/** Requests and errors, tokens, cost and latency over time, per bucket. */
export function UsageCharts({ data, bucket }: { data: ChartPoint[]; bucket: UsageBucket }) {
  const per = `per ${bucket}`;
  const common = {
    h: 220,
    data,
    dataKey: 'label',
    withLegend: true,
    curveType: 'linear' as const,
    tooltipAnimationDuration: 0,
    legendProps: { verticalAlign: 'bottom' as const, height: 40 },
  };
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <ChartCard
        title="Requests and errors"
        description={`Requests ${per}; errors are HTTP 4xx/5xx or failed streams.`}
      >
        <LineChart
          {...common}
          valueFormatter={(value) => formatCount(value)}
          yAxisProps={{ allowDecimals: false }}
          series={[
            { name: 'requests', label: 'Requests', color: 'blue.6' },
            { name: 'errors', label: 'Errors', color: 'red.6' },
          ]}
        />
      </ChartCard>
      <ChartCard title="Tokens" description={`Prompt and completion tokens ${per}.`}>
        <AreaChart
          {...common}
          type="stacked"
          valueFormatter={(value) => formatCount(value)}
          yAxisProps={{ allowDecimals: false }}
          series={[
            { name: 'promptTokens', label: 'Prompt tokens', color: 'indigo.6' },
            { name: 'completionTokens', label: 'Completion tokens', color: 'teal.6' },
          ]}
        />
      </ChartCard>
      <ChartCard
        title="Cost (USD)"
        description={`Cost ${per} from the price table (unpriced requests add nothing).`}
      >
        <AreaChart
          {...common}
          valueFormatter={usd}
          series={[{ name: 'cost', label: 'Cost (USD)', color: 'yellow.7' }]}
        />
      </ChartCard>
      <ChartCard
        title="Latency"
        description={`Median (p50) and 95th percentile (p95) of the total latency ${per}.`}
      >
        <LineChart
          {...common}
          connectNulls={false}
          valueFormatter={(value) => formatMs(value)}
          series={[
            { name: 'p50', label: 'p50', color: 'cyan.6' },
            { name: 'p95', label: 'p95', color: 'grape.6' },
          ]}
        />
      </ChartCard>
    </SimpleGrid>
  );
}
