// A value shown inside a message keeps the message on one line: quoted, newlines and control
// characters escaped, and a long one cut with an ellipsis (a problem is one line, FILE:LINE:COL: ...).

/** Longest value shown whole; longer ones are cut. */
export const MAX_SHOWN = 60;

/** `value` as a quoted, escaped string of at most about `max` characters. */
export function quoted(value: unknown, max = MAX_SHOWN): string {
  const text = String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** Control characters (newlines included) escaped, so a message prints as one line. */
export function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
