// Colours only when a person is watching: the stream is a TTY and NO_COLOR (https://no-color.org) is unset.
import { Chalk, type ChalkInstance } from 'chalk';

export interface StreamLike {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export function wantsColor(stream: StreamLike, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function chalkFor(stream: StreamLike, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: wantsColor(stream, env) ? 1 : 0 });
}
