// Secrets (passwords, tokens, private keys, certificate keys) travel as `Secret` values.
// Their string forms redact, so a secret that slips into a template, a log line or JSON
// output prints as "[redacted]". Every secret value is also registered so that `redact()`
// can scrub it from free text (remote stderr, error messages) before it is shown or logged.

const known = new Set<string>();

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    // Very short values would turn ordinary text into "[redacted]"; they are still never printed
    // through toString(), only not scrubbed from free text.
    if (value.length >= 4) known.add(value);
  }

  /** The real value: call only where it is handed to the wire (ssh2 auth, stdin of a remote command). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}

/** Replace every known secret value in `text` with "[redacted]". */
export function redact(text: string): string {
  let out = text;
  for (const s of known) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  return out;
}
