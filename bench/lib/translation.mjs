// One repetition of the translation scenario (T6) for a target that translates (Junction only): the same
// OpenAI chat body as pass-through, routed to `anthropic` entries on the mock's Messages routes, so Junction
// rewrites the request and turns the Anthropic answer (JSON, or the SSE events) back into OpenAI's.
// Same wrk closed loop, connections and duration as the pass-through stream run (c32, the short runs), for
// both the JSON and the stream answer, so the CPU per request compares with the pass-through c32 and stream
// figures of the same repetition.
import { measure } from './measure.mjs';
import { chatBody } from './mock-bodies.mjs';
import { STREAM_CONNECTIONS } from './passthrough.mjs';
import { runWrk } from './wrk.mjs';

export async function translationRepetition(target, { mock, loadCore, plan, budget, log }) {
  const { chat, stream } = target.translation;
  const chatPost = { url: chat.url, headers: chat.headers, body: chatBody(chat.model) };
  const streamPost = { url: stream.url, headers: stream.headers, body: chatBody(stream.model, true) };
  const wrk = (post, connections, seconds) => () => runWrk({ core: loadCore, ...post, connections, seconds });
  const run = (label, load) => {
    log(`  ${target.name}: ${label}`);
    return measure({ targetPid: target.pid, mockPid: mock.pid, load }, { budget, log, redos: plan.redos });
  };

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
