// The parts of undici the action loads (http.ts), typed from undici's own declarations.
declare module 'undici/lib/dispatcher/agent.js' {
  export = import('undici').Agent;
}
declare module 'undici/lib/dispatcher/pool.js' {
  export = import('undici').Pool;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  export = import('undici').ProxyAgent;
}
declare module 'undici/lib/core/connect.js' {
  export = import('undici').buildConnector;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  export = import('undici').Dispatcher;
}
declare module 'undici/lib/api/index.js' {
  const api: Record<string, unknown>;
  export = api;
}
