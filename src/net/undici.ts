/**
 * The parts of undici the action uses, in one module so the bundle loads them as one chunk
 * (http.ts imports this on the first request). Not undici's index: fetch, WebSocket, caches and
 * mocks stay out, two thirds of its code.
 */
import Agent from 'undici/lib/dispatcher/agent.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js';
import buildConnector from 'undici/lib/core/connect.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';

// What undici's index does: request(), connect() (a proxy's CONNECT) … on every dispatcher.
Object.assign(Dispatcher.prototype, api);

export { Agent, Pool, ProxyAgent, buildConnector };
