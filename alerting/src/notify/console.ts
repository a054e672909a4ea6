import fs from 'fs';
import path from 'path';
import type { Notification } from '../types/notification';
import type { Integration } from './integration';
import { plainText } from './message';
import { alertmanagerBody } from './webhook';

/** Prints each notification on stderr: alerts are visible with no setup (`npm start`). */
export class ConsoleIntegration implements Integration {
  readonly type = 'console';
  constructor(
    readonly name: string,
    readonly sendResolved: boolean,
    private readonly write: (text: string) => void = (t) => process.stderr.write(t + '\n'),
  ) {}

  async send(n: Notification): Promise<void> {
    this.write(`\n=== alert notification (${this.name}) ===\n${plainText(n)}\n`);
  }
}

/** Appends each notification as one JSON line (the webhook body) to a file. */
export class FileIntegration implements Integration {
  readonly type = 'file';
  constructor(
    readonly name: string,
    readonly sendResolved: boolean,
    private readonly file: string,
  ) {}

  async send(n: Notification): Promise<void> {
    await fs.promises.mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    await fs.promises.appendFile(this.file, JSON.stringify({ id: n.id, ...alertmanagerBody(n) }) + '\n');
  }
}
