/** What each CLI command module exports; shared without importing main.ts (no import cycles). */
import type { CliIo } from './io.js';

export const PROGRAM = 'azure-federation-check';

export interface Command {
  /** One line for the overview. */
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
