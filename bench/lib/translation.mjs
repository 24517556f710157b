// One repetition of the translation scenario (T6) for a target that translates (Junction only): the same
// OpenAI chat body as pass-through, routed to `anthropic` entries on the mock's Messages routes, so Junction
// rewrites the request and turns the Anthropic answer (JSON, or the SSE events) back into OpenAI's.
// Same wrk closed loop, connections and duration as the pass-through stream run (c32, the short runs), for
// both the JSON and the stream answer, so the CPU per request compares with the pass-through c32 and stream
// figures of the same repetition.
// T6 itself is judged side by side (`translationPairs`): two Junctions started afresh in each repetition, one
// loaded with the pass-through stream and the other with the translated one at once, on the core they share.
import { request } from 'undici';
import { measure, measureSideBySide, waitForIdle } from './measure.mjs';
import { ANSWER_TEXT, chatBody, STREAM_TEXT } from './mock-bodies.mjs';
import { STREAM_CONNECTIONS } from './passthrough.mjs';
import { stopChild } from './proc.mjs';
import { startTarget } from './targets.mjs';
import { runWrk } from './wrk.mjs';

async function send({ url, headers, body }) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/**
 * One request of each kind, read in full: wrk only counts statuses, and a stream whose translation breaks
 * midway still answered 200. Throws when an answer is not the mock's text in OpenAI's shape.
 */
export async function checkTranslation(chatPost, streamPost) {
  const chat = await send(chatPost);
  const content = chat.status === 200 ? JSON.parse(chat.text).choices?.[0]?.message?.content : undefined;
  if (content !== ANSWER_TEXT)
    throw new Error(`translated chat answer is wrong (${chat.status}): ${chat.text.slice(0, 500)}`);
  const stream = await send(streamPost);
  const events = stream.text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
  const text = events
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data).choices?.[0]?.delta?.content ?? '')
    .join('');
  if (stream.status !== 200 || events.at(-1) !== '[DONE]' || text !== STREAM_TEXT)
    throw new Error(`translated stream is wrong (${stream.status}): ${stream.text.slice(-500)}`);
}

export async function translationRepetition(target, { mock, loadCore, plan, budget, log }) {
  const { chat, stream } = target.translation;
  const chatPost = { url: chat.url, headers: chat.headers, body: chatBody(chat.model) };
  const streamPost = { url: stream.url, headers: stream.headers, body: chatBody(stream.model, true) };
  const wrk = (post, connections, seconds) => () => runWrk({ core: loadCore, ...post, connections, seconds });
  const run = (label, load) => {
    log(`  ${target.name}: ${label}`);
    return measure({ targetPid: target.pid, mockPid: mock.pid, load }, { budget, log, redos: plan.redos });
  };

  await checkTranslation(chatPost, streamPost);
  // Warm-up of the translation code paths (JIT), as pass-through warms its own; not recorded.
  await runWrk({ core: loadCore, ...chatPost, connections: 8, seconds: 1 });
  await runWrk({ core: loadCore, ...streamPost, connections: 8, seconds: 1 });

  const c = STREAM_CONNECTIONS;
  return {
    chat: await run(`Anthropic translation c${c} ${plan.shortSeconds}s`, wrk(chatPost, c, plan.shortSeconds)),
    stream: await run(
      `Anthropic translation stream c${c} ${plan.shortSeconds}s`,
      wrk(streamPost, c, plan.shortSeconds),
    ),
  };
}

/**
 * T6 side by side: in each of `plan.translationRepetitions` repetitions, two Junctions as shipped (embedded store,
 * fresh data folders, configured alike) are started afresh; one is loaded with the pass-through stream and the
 * other with the translated stream, 32 connections each, at once, on the target core they share, for the stream
 * runs' seconds. Which process takes which route alternates between repetitions, so neither start order nor
 * a process's own offset leans on one side. T6 is the median of the repetitions' ratios (translated over
 * pass-through CPU a request).
 */
export async function translationPairs({
  root,
  core,
  loadCore,
  mock,
  workDir,
  plan,
  budget,
  log,
  onCleanup,
}) {
  const live = new Set();
  onCleanup(async () => {
    for (const target of live) await stopChild(target.child);
  });
  const start = async () => {
    const target = await startTarget('junction', { core, mock, root, workDir });
    live.add(target);
    return target;
  };
  const stop = async (target) => {
    live.delete(target);
    await stopChild(target.child);
  };
  const c = STREAM_CONNECTIONS;
  const pairs = [];
  for (let rep = 0; rep < plan.translationRepetitions; rep++) {
    const started = [await start(), await start()];
    try {
      const [plain, translating] = rep % 2 === 0 ? started : [started[1], started[0]];
      const post = ({ url, headers, model }, stream) => ({ url, headers, body: chatBody(model, stream) });
      const passStream = post(plain.routes.stream, true);
      const trStream = post(translating.translation.stream, true);
      await checkTranslation(post(translating.translation.chat, false), trStream);
      const load = (post, seconds) => () => runWrk({ core: loadCore, ...post, connections: c, seconds });
      // Warm-up of both (JIT, pools, connections) at once; the usage rows it leaves are stored before the run.
      await Promise.all([load(passStream, plan.warmupSeconds)(), load(trStream, plan.warmupSeconds)()]);
      await waitForIdle([plain.pid, translating.pid], 30_000);
      log(
        `  translation: pass-through and translated streams side by side, c${c} each, ${plan.shortSeconds}s (repetition ${rep + 1})`,
      );
      const pair = await measureSideBySide(
        {
          first: { pid: plain.pid, load: load(passStream, plan.shortSeconds) },
          second: { pid: translating.pid, load: load(trStream, plan.shortSeconds) },
          mockPid: mock.pid,
        },
        { budget, log, redos: plan.redos },
      );
      pairs.push({
        passthrough: pair.first.cpuUsPerReq,
        translated: pair.second.cpuUsPerReq,
        ratio: pair.ratio,
        errors: (pair.first.errors ?? 0) + (pair.second.errors ?? 0),
        requests: pair.first.requests + pair.second.requests,
        disturbed: pair.first.disturbed,
      });
    } finally {
      for (const target of started) await stop(target);
    }
  }
  return pairs;
}
