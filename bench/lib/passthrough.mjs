// One repetition of the pass-through scenarios for one target: closed-loop req/s at c32 and c64 (wrk),
// latency at a fixed ~200 req/s (open-loop Node client), streaming req/s (wrk) and time to first byte at a
// fixed rate (Node client), embeddings req/s (wrk). Each run measured with the target's CPU and RSS.
import { measure } from './measure.mjs';
import { chatBody, embeddingsBody } from './mock-bodies.mjs';
import { rssKb } from './proc.mjs';
import { runRate } from './rate.mjs';
import { runWrk } from './wrk.mjs';

/** Connections of the closed-loop stream run; the translation runs use the same, to be comparable. */
export const STREAM_CONNECTIONS = 32;

export async function passthroughRepetition(target, { mock, loadCore, plan, budget, log }) {
  const { chat, stream, embed } = target.routes;
  const chatPost = { url: chat.url, headers: chat.headers, body: chatBody(chat.model) };
  const streamPost = { url: stream.url, headers: stream.headers, body: chatBody(stream.model, true) };
  const embedPost = { url: embed.url, headers: embed.headers, body: embeddingsBody(embed.model) };
  const run = (label, load) => {
    log(`  ${target.name}: ${label}`);
    return measure({ targetPid: target.pid, mockPid: mock.pid, load }, { budget, log, redos: plan.redos });
  };
  const wrk = (post, connections, seconds) => () => runWrk({ core: loadCore, ...post, connections, seconds });
  const rate = (post, mode, rps, seconds) => () =>
    runRate({ core: loadCore, ...post, mode, rate: rps, seconds, connections: 16 });

  const idleRssKb = target.pid ? rssKb(target.pid) : null;
  // Warm-up (JIT, pools, connections); not recorded.
  await runWrk({ core: loadCore, ...chatPost, connections: 32, seconds: plan.warmupSeconds });
  await runWrk({ core: loadCore, ...streamPost, connections: 8, seconds: 1 });

  const result = { idleRssKb };
  result.c32 = await run(`chat c32 ${plan.seconds}s`, wrk(chatPost, 32, plan.seconds));
  result.c64 = await run(`chat c64 ${plan.seconds}s`, wrk(chatPost, 64, plan.seconds));
  result.rate = await run(
    `chat at ${plan.rate} req/s ${plan.rateSeconds}s`,
    rate(chatPost, 'latency', plan.rate, plan.rateSeconds),
  );
  result.stream = await run(
    `stream c${STREAM_CONNECTIONS} ${plan.shortSeconds}s`,
    wrk(streamPost, STREAM_CONNECTIONS, plan.shortSeconds),
  );
  result.ttfb = await run(
    `stream TTFB at ${plan.ttfbRate} req/s ${plan.ttfbSeconds}s`,
    rate(streamPost, 'ttfb', plan.ttfbRate, plan.ttfbSeconds),
  );
  result.embed = await run(`embeddings c64 ${plan.shortSeconds}s`, wrk(embedPost, 64, plan.shortSeconds));
  result.peakRssKb = target.pid
    ? Math.max(...['c32', 'c64', 'rate', 'stream', 'ttfb', 'embed'].map((k) => result[k].peakRssKb))
    : null;
  return result;
}
