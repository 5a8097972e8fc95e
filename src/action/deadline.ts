/**
 * `timeout-seconds` bounds the whole run, not each request: every network call takes what is
 * left (at least 1 s), local work on hostile sizes is capped (workspace-file.ts,
 * credentials-input.ts, yaml-aliases.ts, text-diff.ts), and this watchdog ends the run shortly
 * after the time is up anyway, should anything still wait. The grace lets a request's own
 * timeout report first, with the more useful finding ("no answer from Entra"). Once the
 * watchdog has reported, the run's own report is dropped, so the runner sees one result.
 */
import type { Finding } from '../diagnose/finding.js';

/** How long after timeout-seconds the watchdog reports: a last request may take 1 s (see above). */
export const WATCHDOG_GRACE_MS = 2000;
/** After a timeout report, the time the process gets to end by itself before it is ended. */
const EXIT_GRACE_MS = 200;

export class RunDeadline {
  private timer: NodeJS.Timeout | undefined;
  private claimed = false;
  private timeoutCode: number | undefined;
  /** What the run is doing, for the timeout's message. */
  stage = 'starting';

  constructor(
    /** Epoch ms. */
    readonly at: number,
    readonly seconds: number,
  ) {}

  /**
   * Calls `report` once when the time is up, unless the run reported first. `report` writes
   * the timeout finding (claiming the report) and resolves to the exit code; the process then
   * ends even when a socket is still open.
   */
  arm(
    report: (finding: Finding) => Promise<number>,
    exit: (code: number) => void = (code) => process.exit(code),
  ): void {
    this.timer = setTimeout(
      () => {
        void report(runTimeout(this.seconds, this.stage)).then((code) => {
          this.timeoutCode = code;
          process.exitCode = code;
          setTimeout(() => exit(code), EXIT_GRACE_MS).unref();
        });
      },
      Math.max(0, this.at + WATCHDOG_GRACE_MS - Date.now()),
    );
    // The watchdog never keeps a finished run alive.
    this.timer.unref();
  }

  /** Called when a report starts: true the first time (the report goes ahead), false after. */
  claim(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    clearTimeout(this.timer);
    return true;
  }

  /** The exit code for a report that came too late: the timeout's. */
  lateCode(): number {
    return this.timeoutCode ?? 1;
  }
}

function runTimeout(seconds: number, stage: string): Finding {
  return {
    id: 'run-timeout',
    severity: 'error',
    title: `The run did not finish within timeout-seconds (${seconds} s)`,
    message:
      `The time ran out while ${stage}, so there is no verdict. ` +
      'The steps that finished are not reported: a partial comparison could pass what the rest would fail.',
    fix:
      "Raise the limit (up to 600 seconds), and check that the runner reaches GitHub's token endpoint and Entra:\n" +
      `    with:\n      timeout-seconds: ${Math.min(600, Math.max(120, seconds * 2))}`,
  };
}
