/**
 * Runs `shutDown` once, on the first SIGTERM or SIGINT, then exits 0; a shutdown that throws is
 * said in one line on stderr and exits 1. The listeners stay: a repeated signal (a supervisor's
 * second one, or Ctrl-C under `npm start`, which reaches the process from the terminal and again
 * from npm) neither starts a second shutdown nor ends the process by the default action while the
 * first runs. Call it before printing anything a reader may answer with a signal: a signal that
 * comes before its listener ends the process at once.
 */
export function onStopSignals(shutDown: () => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= shutDown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
