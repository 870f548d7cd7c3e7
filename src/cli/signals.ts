/**
 * Resolve on the first SIGINT or SIGTERM (the caller then shuts down cleanly); a second signal
 * while shutting down exits at once. `onSignal` runs synchronously when the first one arrives.
 */
export function waitForShutdown(onSignal?: (sig: NodeJS.Signals) => void): {
  promise: Promise<NodeJS.Signals>;
  dispose(): void;
} {
  let received: NodeJS.Signals | undefined;
  let resolve!: (s: NodeJS.Signals) => void;
  const promise = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  const handler = (sig: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`faultline: ${sig} again, exiting without a clean shutdown\n`);
      process.exit(130);
    }
    received = sig;
    onSignal?.(sig);
    resolve(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    promise,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
