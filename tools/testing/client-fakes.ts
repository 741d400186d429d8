/**
 * Test doubles for the client: a fake clock (timers run only when a test advances time, so no
 * test sleeps for real) and an SDK-shaped client over the in-memory Secrets Manager the rotation
 * tests use, with call counts and injectable failures.
 */
import type { Clock } from '../../client/src/util';
import type { MemorySecretsManager } from './memory-secrets-manager';

/** Lets pending promise chains and setImmediate callbacks run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  private seq = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

/** Every hook the cache fires (tests record them all). */
export const HOOK_NAMES = ['hit', 'miss', 'stale', 'rotation', 'authRetry', 'authRecovered', 'deleted', 'failover', 'error'] as const;

export const awsError = (name: string, message = name, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });
export const networkError = (code = 'ECONNREFUSED') => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });

export interface SentCall {
  api: string;
  secretId: string;
  stage?: string;
  versionId?: string;
}

/** A `send()`-shaped Secrets Manager over MemorySecretsManager. */
export class FakeSdk {
  readonly calls: SentCall[] = [];
  /** Returns an error to throw for a call, or undefined to answer it. */
  failWith?: (call: SentCall) => unknown;
  /** When set, calls never answer (until their abort signal fires). */
  hang = false;
  nextRotationDate?: Date;
  /** Fields added to every DescribeSecret answer (e.g. DeletedDate). */
  describeExtra: Record<string, unknown> = {};
  binary = new Map<string, Uint8Array>();
  /** Clients the code under test destroyed. */
  destroyed = 0;

  constructor(
    readonly sm: MemorySecretsManager,
    /** Maps the id a caller sends to the id the memory service knows (replica ARNs). */
    private readonly mapId: (id: string) => string = (id) => id,
  ) {}

  destroy(): void {
    this.destroyed++;
  }

  count(api?: string): number {
    return this.calls.filter((c) => !api || c.api === api).length;
  }

  async send(command: { constructor: { name: string }; input: any }, options?: { abortSignal?: AbortSignal }): Promise<any> {
    const api = command.constructor.name.replace(/Command$/, '');
    const call: SentCall = { api, secretId: command.input.SecretId, stage: command.input.VersionStage, versionId: command.input.VersionId };
    this.calls.push(call);
    await Promise.resolve();
    const err = this.failWith?.(call);
    if (err) throw err;
    if (this.hang) {
      return new Promise((_, reject) =>
        options?.abortSignal?.addEventListener('abort', () => reject(awsError('AbortError', 'Request aborted'))),
      );
    }
    const id = this.mapId(call.secretId);
    if (api === 'GetSecretValue') {
      if (this.binary.has(id))
        return { ARN: id, Name: id, VersionId: 'bin-1', SecretBinary: this.binary.get(id), VersionStages: ['AWSCURRENT'] };
      const v = await this.sm.getSecretValue({ SecretId: id, VersionStage: call.stage, VersionId: call.versionId });
      const d = await this.sm.describeSecret(id);
      return {
        ARN: d.ARN,
        Name: d.Name,
        VersionId: v.VersionId,
        SecretString: v.SecretString,
        VersionStages: d.VersionIdsToStages[v.VersionId] ?? [],
      };
    }
    if (api === 'DescribeSecret') {
      const d = await this.sm.describeSecret(id);
      return { ...d, NextRotationDate: this.nextRotationDate, ...this.describeExtra };
    }
    throw awsError('InvalidRequestException', `unsupported ${api}`);
  }
}
