// One host's ssh2 client and what belongs to it. Its own file so that channel.ts and connection.ts
// both build on it without importing each other.
import pLimit, { type LimitFunction } from 'p-limit';
import type ssh2 from 'ssh2';

/** Channels per connection at once; OpenSSH's MaxSessions default is 10. */
const CHANNELS_PER_CONNECTION = 8;

/**
 * The ssh2 client of one host and what belongs to it: the channel limit and whether it is still
 * up. The pool keeps one per user@host:port; Connections are views of it.
 */
export class Link {
  readonly channels: LimitFunction = pLimit(CHANNELS_PER_CONNECTION);
  lost: string | undefined;

  constructor(readonly client: ssh2.Client) {
    client.on('close', () => {
      this.lost ??= 'connection closed';
    });
    client.on('error', (e: Error) => {
      this.lost = e.message;
    });
  }

  close(): void {
    this.lost ??= 'closed';
    this.client.end();
  }
}
