/**
 * The parts of undici Junction sends HTTP requests with (its Pool, Agent and Client, the request API, its errors and
 * connector), loaded without the rest. `import 'undici'` loads all undici offers, WHATWG fetch, WebSocket,
 * EventSource, caches and mock agents among it: measured alone, 5.0 MB of heap against 1.8 MB for these parts, in
 * every process, idle or not.
 *
 * Undici's own index gives its dispatchers their `request` method by copying the request API onto the dispatcher
 * prototype; this does the same (copying it twice, when something loads the index too, changes nothing). undici is
 * pinned to one version in package.json; every part here is exercised by the tests through the gateway.
 */
import apiMethods from 'undici/lib/api/index.js';
import buildConnector from 'undici/lib/core/connect.js';
import errors from 'undici/lib/core/errors.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import Client from 'undici/lib/dispatcher/client.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import Pool from 'undici/lib/dispatcher/pool.js';

Object.assign(Dispatcher.prototype, apiMethods);

export { Agent, buildConnector, Client, errors, Pool };
