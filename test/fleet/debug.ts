// SEALTS_FLEET_DEBUG=1 prints how long each step of `up` and `down` took, on stderr.
const t0 = performance.now();

export function step(what: string): void {
  if (process.env.SEALTS_FLEET_DEBUG) process.stderr.write(`fleet: ${(performance.now() - t0).toFixed(0)} ms ${what}\n`);
}
