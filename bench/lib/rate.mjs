// Runs the fixed-rate Node client (bench/load/rate-client.mjs) pinned to the load core.
import { fileURLToPath } from 'node:url';
import { runPinned } from './proc.mjs';

const CLIENT = fileURLToPath(new URL('../load/rate-client.mjs', import.meta.url));

export async function runRate({ core, url, body, headers, rate, seconds, mode, connections }) {
  const options = JSON.stringify({ url, body, headers, rate, seconds, mode, connections });
  const { code, output } = await runPinned(core, process.execPath, [CLIENT, options], {
    timeoutMs: (seconds + 20) * 1000,
  });
  const line = output.trim().split('\n').at(-1);
  if (code !== 0) throw new Error(`rate client failed (${code}): ${output.slice(-1000)}`);
  return JSON.parse(line);
}
