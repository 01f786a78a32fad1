// SIGINT and SIGTERM while sealts works on hosts: the first one is handed to whoever is working
// now (a run stops its phases, writes its summary and logs, releases the lock); a second one exits
// at once. Exit codes follow the shell's convention: 128 + the signal's number.
export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

export function exitCodeOf(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** The run was stopped by a signal; its exit code is the signal's. */
export class InterruptedError extends Error {
  readonly exitCode: number;
  constructor(readonly signal: StopSignal, where: string) {
    super(`interrupted by ${signal}${where ? ` ${where}` : ''}`);
    this.name = 'InterruptedError';
    this.exitCode = exitCodeOf(signal);
  }
}

type Handler = (signal: StopSignal) => void;

const handlers: Handler[] = [];
let received: StopSignal | undefined;

function onSignal(signal: StopSignal): void {
  if (received !== undefined) process.exit(exitCodeOf(signal));
  received = signal;
  const top = handlers[handlers.length - 1];
  if (top) top(signal);
  else process.exit(exitCodeOf(signal));
}

/**
 * Take the first SIGINT/SIGTERM while `handler` is the innermost one; returns the function that
 * gives it back. Once a signal came, the listeners stay: a second one exits at once.
 */
export function onInterrupt(handler: Handler): () => void {
  if (handlers.length === 0 && received === undefined) for (const s of SIGNALS) process.on(s, onSignal);
  handlers.push(handler);
  return () => {
    const i = handlers.lastIndexOf(handler);
    if (i >= 0) handlers.splice(i, 1);
    if (handlers.length === 0 && received === undefined) for (const s of SIGNALS) process.off(s, onSignal);
  };
}

/** The signal that stopped this process's work, if one did. */
export function interruptedBy(): StopSignal | undefined {
  return received;
}
