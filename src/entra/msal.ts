/**
 * The two names the exchange uses from msal-node, loaded by exchange.ts on demand. Imported by name here
 * rather than as the namespace of a dynamic import, which keeps every export of the package: the
 * bundle then leaves out what the exchange never calls (public-client flows, managed identity sources),
 * a sixth of msal-node's code (scripts/bundle.mjs).
 */
export { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
