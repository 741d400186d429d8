/**
 * A caching reader of Secrets Manager values that knows about rotation.
 *
 * - One entry per (secret, version stage) or (secret, version id); TTL 5 minutes with jitter.
 * - One fetch in flight per entry: any number of concurrent gets of a missing entry cost one call.
 * - An expired entry is served while its refresh runs in the background (stale-while-revalidate),
 *   up to `maxStaleMs` past its expiry. A failed refresh keeps the entry only when the error is
 *   transient (throttling, 5xx, network, timeout) and retries with backoff; any other error
 *   (access denied, secret deleted, KMS) drops it and the next get fails.
 * - Forced refreshes (after a database refused a password) are rate-limited per entry: inside the
 *   interval they return at once with what is cached, they never sleep.
 * - Rotation watch: a background DescribeSecret per secret (no value, no KMS call) every
 *   `watchIntervalMs`, every `pendingWatchIntervalMs` while an AWSPENDING version exists, and at
 *   NextRotationDate. An entry whose stage moved to another version is dropped (event `rotation`).
 * - Replica failover: when the primary region's endpoint fails, the same call goes to the
 *   replica regions in order, and the primary is skipped for `cooldownMs`.
 * - Values never reach a log line, an event or an error message.
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Clock, deepFreeze, Redactor, SecretsClientError, systemClock, withTimeout, raceSignal } from './util';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** What the cache needs of an SDK v3 client (a `SecretsManagerClient` fits; tests inject fakes). */
export interface SecretsManagerSender {
  send(command: any, options?: any): Promise<any>;
}

/** Events for metrics. Fields name secrets, stages and versions; never values. */
export interface CacheEvent {
  secretId: string;
  stage?: string;
  versionId?: string;
  /** For `stale`: how long past expiry; for `hit`: age of the entry. */
  ageMs?: number;
  reason?: string;
  errorName?: string;
  /** For `rotation`: the version the stage moved from / to. */
  fromVersionId?: string;
  toVersionId?: string;
  /** For `failover`: the regions. */
  fromRegion?: string;
  toRegion?: string;
  /** For `authRetry`: failed logins in the current window. */
  failedLogins?: number;
}

export interface CacheHooks {
  hit?(e: CacheEvent): void;
  miss?(e: CacheEvent): void;
  /** A value served past its expiry (refresh running, or after a transient refresh error). */
  stale?(e: CacheEvent): void;
  /** A stage now points at another version (seen by the watch or by a refresh). */
  rotation?(e: CacheEvent): void;
  /** A database refused credentials and the pool is retrying (see the pg and mysql2 helpers). */
  authRetry?(e: CacheEvent): void;
  failover?(e: CacheEvent): void;
  /** A fetch or describe failed (the error is also thrown or the stale value served). */
  error?(e: CacheEvent): void;
}

export interface CacheLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface FailoverOptions {
  /** Replica regions to read from, in order, when the primary's endpoint fails. */
  regions: string[];
  /** The client for a replica region (default: a `SecretsManagerClient` for that region). */
  clientFor?: (region: string) => SecretsManagerSender;
  /** How long the primary is skipped after it failed (ms). */
  cooldownMs?: number;
}

export interface SecretCacheOptions {
  /** SDK client (default: `new SecretsManagerClient({ region })`). */
  client?: SecretsManagerSender;
  /** Region of the primary (for failover events and ARN rewriting; default: the client's). */
  region?: string;
  ttlMs?: number;
  /** Fraction of the TTL taken off at random, so a fleet does not refresh in step. */
  jitter?: number;
  maxStaleMs?: number;
  minForcedRefreshIntervalMs?: number;
  /** Per-call timeout of one Secrets Manager request. */
  requestTimeoutMs?: number;
  /** Default timeout of a whole get (waiting for a shared fetch included). */
  timeoutMs?: number;
  errorBackoffBaseMs?: number;
  errorBackoffMaxMs?: number;
  watch?: boolean;
  watchIntervalMs?: number;
  pendingWatchIntervalMs?: number;
  maxEntries?: number;
  failover?: FailoverOptions;
  hooks?: CacheHooks;
  logger?: CacheLogger;
  clock?: Clock;
  random?: () => number;
}

export const DEFAULTS = {
  ttlMs: 5 * 60_000,
  jitter: 0.1,
  maxStaleMs: 15 * 60_000,
  minForcedRefreshIntervalMs: 1_000,
  requestTimeoutMs: 5_000,
  timeoutMs: 10_000,
  errorBackoffBaseMs: 1_000,
  errorBackoffMaxMs: 60_000,
  watch: true,
  watchIntervalMs: 60_000,
  pendingWatchIntervalMs: 5_000,
  maxEntries: 1_000,
  failoverCooldownMs: 60_000,
} as const;

export interface GetOptions {
  /** Default AWSCURRENT (ignored when `versionId` is given). */
  versionStage?: string;
  versionId?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Fetch now instead of using the cache (rate-limited per entry; never sleeps). */
  forceRefresh?: boolean;
}

/** A secret version as read: value plus the identifiers (never logged with the value). */
export interface SecretVersion {
  secretId: string;
  arn?: string;
  name?: string;
  versionId: string;
  versionStages: string[];
  /** The stage this entry was asked for (undefined when read by version id). */
  stage?: string;
  string?: string;
  binary?: Uint8Array;
  /** Region that served the value. */
  region?: string;
  /** When it was fetched (clock ms): lets a caller tell newer information from older. */
  fetchedAt: number;
}

interface Entry {
  key: string;
  version: SecretVersion;
  parsed?: { value: unknown } | { error: true };
  fetchedAt: number;
  expiresAt: number;
}

interface KeyState {
  inflight?: Promise<Entry>;
  failures: number;
  nextRetryAt: number;
  lastError?: SecretsClientError;
  lastForcedAt: number;
}

interface WatchState {
  nextAt: number;
  inflight?: Promise<void>;
  disabled: boolean;
  pendingVersionId?: string;
  currentVersionId?: string;
  nextRotationAt?: number;
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

interface RawError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Whether the endpoint itself failed (network, timeout, 5xx): the case for a replica. */
export function isEndpointFailure(e: unknown): boolean {
  const r = (e ?? {}) as RawError;
  if (r.code && NETWORK_CODES.has(r.code)) return true;
  if ((r.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return ['InternalServiceError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError'].includes(r.name ?? '');
}

export function isTransient(e: unknown): boolean {
  const r = (e ?? {}) as RawError;
  if ((r as SecretsClientError).name === 'SecretsClientError') return (r as SecretsClientError).transient;
  return isEndpointFailure(e) || TRANSIENT_NAMES.has(r.name ?? '') || !!r.$retryable;
}

/** The same secret's ARN in another region (replicas keep name, account and suffix). */
export function arnInRegion(secretId: string, region: string): string {
  const m = /^arn:([a-z-]+):secretsmanager:[a-z0-9-]+:(\d{12}):secret:(.+)$/.exec(secretId);
  return m ? `arn:${m[1]}:secretsmanager:${region}:${m[2]}:secret:${m[3]}` : secretId;
}

export class SecretCache {
  private readonly o: Required<Omit<SecretCacheOptions, 'client' | 'region' | 'failover' | 'hooks' | 'logger' | 'clock' | 'random'>>;
  private readonly client: SecretsManagerSender;
  private readonly region?: string;
  private readonly failover?: FailoverOptions;
  private readonly replicaClients = new Map<string, SecretsManagerSender>();
  private primaryDownUntil = 0;
  private readonly hooks: CacheHooks;
  private readonly logger?: CacheLogger;
  readonly clock: Clock;
  readonly random: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new Map<string, KeyState>();
  private readonly bySecret = new Map<string, Set<string>>();
  private readonly watches = new Map<string, WatchState>();
  /** Every value the cache has held, to scrub text that leaves the client. */
  readonly redactor = new Redactor();
  /** Secrets Manager calls made, by API and region (for tests and benchmarks). */
  readonly apiCalls = { GetSecretValue: 0, DescribeSecret: 0 };

  constructor(options: SecretCacheOptions = {}) {
    this.o = {
      ttlMs: options.ttlMs ?? DEFAULTS.ttlMs,
      jitter: options.jitter ?? DEFAULTS.jitter,
      maxStaleMs: options.maxStaleMs ?? DEFAULTS.maxStaleMs,
      minForcedRefreshIntervalMs: options.minForcedRefreshIntervalMs ?? DEFAULTS.minForcedRefreshIntervalMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      errorBackoffBaseMs: options.errorBackoffBaseMs ?? DEFAULTS.errorBackoffBaseMs,
      errorBackoffMaxMs: options.errorBackoffMaxMs ?? DEFAULTS.errorBackoffMaxMs,
      watch: options.watch ?? DEFAULTS.watch,
      watchIntervalMs: options.watchIntervalMs ?? DEFAULTS.watchIntervalMs,
      pendingWatchIntervalMs: options.pendingWatchIntervalMs ?? DEFAULTS.pendingWatchIntervalMs,
      maxEntries: options.maxEntries ?? DEFAULTS.maxEntries,
    };
    if (!(this.o.jitter >= 0 && this.o.jitter < 1)) throw new RangeError('jitter must be in [0, 1)');
    if (!(this.o.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.region = options.region;
    this.client = options.client ?? new SecretsManagerClient(options.region ? { region: options.region } : {});
    this.failover = options.failover;
    this.hooks = options.hooks ?? {};
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  // ------------------------------------------------------------------------------- reading

  /** The version (value and identifiers) of a secret's stage or version id. */
  async getSecret(secretId: string, opts: GetOptions = {}): Promise<SecretVersion> {
    return (await this.entry(secretId, opts)).version;
  }

  /** A string value. */
  async getString(secretId: string, opts: GetOptions = {}): Promise<string> {
    const v = await this.getSecret(secretId, opts);
    if (v.string === undefined) throw new SecretsClientError('NotString', `secret ${secretId} (${describeKey(opts)}) holds a binary value; use getBinary()`, { secretId });
    return v.string;
  }

  /** A binary value (SecretBinary). */
  async getBinary(secretId: string, opts: GetOptions = {}): Promise<Uint8Array> {
    const v = await this.getSecret(secretId, opts);
    if (v.binary === undefined) throw new SecretsClientError('NotBinary', `secret ${secretId} (${describeKey(opts)}) holds a string value; use getString()`, { secretId });
    return v.binary;
  }

  /**
   * A JSON value, parsed once per version and deep-frozen (shared by every caller). `key`
   * extracts one top-level field; `parse` validates (e.g. a zod schema's `parse`) and types it.
   */
  async getJson<T = unknown>(secretId: string, opts: GetOptions & { key?: string; parse?: (v: unknown) => T } = {}): Promise<T> {
    const e = await this.entry(secretId, opts);
    const what = `secret ${secretId} (${describeKey(opts)})`;
    if (!e.parsed) {
      if (e.version.string === undefined) {
        e.parsed = { error: true };
      } else {
        try {
          e.parsed = { value: deepFreeze(JSON.parse(e.version.string)) };
        } catch {
          e.parsed = { error: true };
        }
      }
    }
    // JSON.parse's own message quotes the text it failed on: never pass it on.
    if ('error' in e.parsed) throw new SecretsClientError('NotJson', `${what} is not valid JSON (version ${e.version.versionId})`, { secretId });
    let v: unknown = e.parsed.value;
    if (opts.key !== undefined) {
      if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, opts.key)) {
        throw new SecretsClientError('MissingKey', `${what} has no key "${opts.key}" (version ${e.version.versionId})`, { secretId });
      }
      v = (v as Record<string, unknown>)[opts.key];
    }
    if (opts.parse) {
      try {
        return opts.parse(v);
      } catch (err) {
        // A validator's message may quote the value it rejected: keep only its name.
        throw new SecretsClientError('Invalid', `${what}${opts.key ? ` key "${opts.key}"` : ''} failed validation (${(err as Error)?.name ?? 'Error'})`, { secretId });
      }
    }
    return v as T;
  }

  /**
   * What is cached for a key, without waiting (undefined when nothing is). Kicks off the refresh
   * and the rotation watch when they are due, as a get would.
   */
  peek(secretId: string, opts: Omit<GetOptions, 'signal' | 'timeoutMs' | 'forceRefresh'> = {}): SecretVersion | undefined {
    const key = keyOf(secretId, opts);
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.watchTick(secretId);
    const now = this.clock.now();
    if (now >= e.expiresAt) this.backgroundRefresh(secretId, opts, key, now);
    return e.version;
  }

  /** The AWSPENDING version id the watch last saw (undefined when none or not watched). */
  pendingVersionId(secretId: string): string | undefined {
    return this.watches.get(secretId)?.pendingVersionId;
  }

  /** Drops what is cached for a secret (all stages and versions). */
  invalidate(secretId: string): void {
    for (const key of this.bySecret.get(secretId) ?? []) this.entries.delete(key);
    this.bySecret.delete(secretId);
  }

  // ------------------------------------------------------------------------------ internals

  private async entry(secretId: string, opts: GetOptions): Promise<Entry> {
    const key = keyOf(secretId, opts);
    const what = `secret ${secretId} (${describeKey(opts)})`;
    const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs;
    const wait = async (p: Promise<Entry>): Promise<Entry> => {
      const r = await withTimeout(this.clock, timeoutMs, opts.signal, () => raceSignal(p, opts.signal, what)).catch((e: SecretsClientError) => {
        throw e?.code === 'Aborted' ? new SecretsClientError('Aborted', `${what}: aborted by the caller`, { secretId }) : e;
      });
      if ('timedOut' in r) throw new SecretsClientError('Timeout', `${what}: no answer within ${timeoutMs} ms`, { secretId, transient: true });
      return r.value;
    };
    if (opts.signal?.aborted) throw new SecretsClientError('Aborted', `${what}: aborted by the caller`, { secretId });
    const now = this.clock.now();
    const state = this.keyState(key);
    const e = this.entries.get(key);

    if (opts.forceRefresh) {
      if (state.inflight) return wait(state.inflight);
      if (now - state.lastForcedAt < this.o.minForcedRefreshIntervalMs) {
        // Rate-limited: answer now with what we have (never sleep); a miss still fetches.
        if (e) {
          this.emit('hit', { secretId, stage: e.version.stage, versionId: e.version.versionId, ageMs: now - e.fetchedAt, reason: 'forced refresh rate-limited' });
          return e;
        }
      }
      state.lastForcedAt = now;
      return wait(this.fetchShared(secretId, opts, key));
    }

    if (e) {
      this.watchTick(secretId);
      if (now < e.expiresAt) {
        this.emit('hit', { secretId, stage: e.version.stage, versionId: e.version.versionId, ageMs: now - e.fetchedAt });
        return e;
      }
      if (now - e.expiresAt <= this.o.maxStaleMs) {
        this.backgroundRefresh(secretId, opts, key, now);
        this.emit('stale', {
          secretId,
          stage: e.version.stage,
          versionId: e.version.versionId,
          ageMs: now - e.expiresAt,
          reason: state.lastError ? 'refresh failed' : 'refreshing',
          errorName: state.lastError?.causeName,
        });
        return e;
      }
      // Too stale to serve: the get waits for a fetch, as a miss does.
    }

    if (state.inflight) {
      this.emit('miss', { secretId, stage: opts.versionId ? undefined : (opts.versionStage ?? AWSCURRENT), reason: 'joined fetch in flight' });
      return wait(state.inflight);
    }
    if (state.lastError && now < state.nextRetryAt) {
      // A recent failure: fail fast instead of calling again (no stampede against a failing API).
      throw state.lastError;
    }
    this.emit('miss', { secretId, stage: opts.versionId ? undefined : (opts.versionStage ?? AWSCURRENT) });
    return wait(this.fetchShared(secretId, opts, key));
  }

  private keyState(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { failures: 0, nextRetryAt: 0, lastForcedAt: -Infinity };
      this.keys.set(key, s);
    }
    return s;
  }

  private backgroundRefresh(secretId: string, opts: GetOptions, key: string, now: number): void {
    const state = this.keyState(key);
    if (state.inflight || now < state.nextRetryAt) return;
    this.fetchShared(secretId, opts, key).catch(() => undefined); // outcome recorded in the key state
  }

  /** One fetch per key: later callers join the promise of the first. */
  private fetchShared(secretId: string, opts: GetOptions, key: string): Promise<Entry> {
    const state = this.keyState(key);
    if (state.inflight) return state.inflight;
    const p = this.fetch(secretId, opts, key).then(
      (entry) => {
        state.failures = 0;
        state.lastError = undefined;
        state.nextRetryAt = 0;
        return entry;
      },
      (err: SecretsClientError) => {
        const now = this.clock.now();
        state.failures++;
        state.lastError = err;
        const backoff = Math.min(this.o.errorBackoffMaxMs, this.o.errorBackoffBaseMs * 2 ** (state.failures - 1));
        state.nextRetryAt = now + backoff * (0.5 + this.random() * 0.5);
        const e = this.entries.get(key);
        this.emit('error', { secretId, stage: e?.version.stage ?? opts.versionStage, reason: err.code, errorName: err.causeName });
        if (e && !err.transient) {
          // Access revoked, secret deleted, KMS refused: the old value must not be served on.
          this.entries.delete(key);
          this.logger?.warn('secret refresh failed with a non-transient error; cached value dropped', { secretId, code: err.code, error: err.causeName });
        } else if (e) {
          this.logger?.warn('secret refresh failed; serving the cached value until it is too stale', { secretId, code: err.code, error: err.causeName, maxStaleMs: this.o.maxStaleMs });
        }
        throw err;
      },
    );
    state.inflight = p;
    p.finally(() => {
      if (state.inflight === p) state.inflight = undefined;
    }).catch(() => undefined);
    return p;
  }

  private async fetch(secretId: string, opts: GetOptions, key: string): Promise<Entry> {
    const stage = opts.versionId ? undefined : (opts.versionStage ?? AWSCURRENT);
    const r = await this.call('GetSecretValue', secretId, (id) => new GetSecretValueCommand({ SecretId: id, VersionId: opts.versionId, VersionStage: opts.versionId ? undefined : stage }), describeKey(opts));
    const now = this.clock.now();
    const version: SecretVersion = {
      secretId,
      arn: r.out.ARN,
      name: r.out.Name,
      versionId: r.out.VersionId,
      versionStages: r.out.VersionStages ?? [],
      stage,
      string: r.out.SecretString,
      binary: r.out.SecretBinary,
      region: r.region,
      fetchedAt: now,
    };
    this.redactor.add(version.string);
    if (version.binary) this.redactor.add(Buffer.from(version.binary).toString('base64'));
    const previous = this.entries.get(key);
    if (previous && previous.version.versionId !== version.versionId && stage) {
      this.emit('rotation', { secretId, stage, fromVersionId: previous.version.versionId, toVersionId: version.versionId, reason: 'refresh' });
    }
    let expiresAt = now + this.o.ttlMs * (1 - this.o.jitter * this.random());
    const w = this.watches.get(secretId);
    if (w?.nextRotationAt && w.nextRotationAt > now) expiresAt = Math.min(expiresAt, w.nextRotationAt);
    const entry: Entry = { key, version, fetchedAt: now, expiresAt };
    this.store(secretId, entry);
    if (stage === AWSCURRENT && w) w.currentVersionId = version.versionId;
    if (!w && this.o.watch) this.watches.set(secretId, { nextAt: now + this.o.watchIntervalMs, disabled: false });
    return entry;
  }

  private store(secretId: string, entry: Entry): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    let set = this.bySecret.get(secretId);
    if (!set) this.bySecret.set(secretId, (set = new Set()));
    set.add(entry.key);
    while (this.entries.size > this.o.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  // --------------------------------------------------------------------------- rotation watch

  private watchTick(secretId: string): void {
    if (!this.o.watch) return;
    const w = this.watches.get(secretId);
    if (!w || w.disabled || w.inflight || this.clock.now() < w.nextAt) return;
    w.inflight = this.describe(secretId, w).finally(() => {
      w.inflight = undefined;
    });
  }

  private async describe(secretId: string, w: WatchState): Promise<void> {
    let out: any;
    try {
      out = (await this.call('DescribeSecret', secretId, (id) => new DescribeSecretCommand({ SecretId: id }), 'describe')).out;
    } catch (e) {
      const err = e as SecretsClientError;
      const now = this.clock.now();
      if (err.code === 'AccessDenied') {
        // The role lacks secretsmanager:DescribeSecret: fall back to the TTL alone, say so once.
        w.disabled = true;
        this.logger?.warn('rotation watch disabled: DescribeSecret is not allowed; values follow the TTL only', { secretId });
      } else {
        w.nextAt = now + this.o.watchIntervalMs;
      }
      this.emit('error', { secretId, reason: `watch: ${err.code}`, errorName: err.causeName });
      return;
    }
    const now = this.clock.now();
    const stages: Record<string, string[]> = out.VersionIdsToStages ?? {};
    const holder = (stage: string) => Object.entries(stages).find(([, s]) => s.includes(stage))?.[0];
    const pending = Object.entries(stages).find(([, s]) => s.includes(AWSPENDING) && !s.includes(AWSCURRENT))?.[0];
    w.pendingVersionId = pending;
    w.currentVersionId = holder(AWSCURRENT);
    const next = out.NextRotationDate ? new Date(out.NextRotationDate).getTime() : undefined;
    w.nextRotationAt = next;
    for (const key of this.bySecret.get(secretId) ?? []) {
      const e = this.entries.get(key);
      if (!e?.version.stage) continue;
      const to = holder(e.version.stage);
      if (to !== e.version.versionId) {
        this.entries.delete(key);
        this.emit('rotation', { secretId, stage: e.version.stage, fromVersionId: e.version.versionId, toVersionId: to, reason: 'watch' });
      } else if (next && next > now) {
        e.expiresAt = Math.min(e.expiresAt, next);
      }
    }
    let nextAt = now + (pending ? this.o.pendingWatchIntervalMs : this.o.watchIntervalMs);
    if (next && next > now) nextAt = Math.min(nextAt, next);
    w.nextAt = nextAt;
  }

  // ----------------------------------------------------------------------- calls and failover

  private replicaClient(region: string): SecretsManagerSender {
    let c = this.replicaClients.get(region);
    if (!c) {
      c = this.failover?.clientFor ? this.failover.clientFor(region) : new SecretsManagerClient({ region });
      this.replicaClients.set(region, c);
    }
    return c;
  }

  /** One API call with a timeout, failing over to replicas when the primary's endpoint fails. */
  private async call(api: 'GetSecretValue' | 'DescribeSecret', secretId: string, command: (id: string) => unknown, what: string): Promise<{ out: any; region?: string }> {
    const targets: Array<{ region?: string; client: SecretsManagerSender; id: string }> = [];
    const primary = { region: this.region, client: this.client, id: secretId };
    const replicas = (this.failover?.regions ?? []).map((region) => ({ region, client: this.replicaClient(region), id: arnInRegion(secretId, region) }));
    const now = this.clock.now();
    if (replicas.length > 0 && now < this.primaryDownUntil) targets.push(...replicas, primary);
    else targets.push(primary, ...replicas);

    let lastErr: SecretsClientError | undefined;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      try {
        this.apiCalls[api]++;
        const r = await withTimeout(this.clock, this.o.requestTimeoutMs, undefined, (signal) => t.client.send(command(t.id), { abortSignal: signal }));
        if ('timedOut' in r) {
          const err = new SecretsClientError('Timeout', `secret ${secretId} (${what}): ${api} got no answer within ${this.o.requestTimeoutMs} ms${t.region ? ` in ${t.region}` : ''}`, { secretId, transient: true, causeName: 'TimeoutError' });
          throw Object.assign(err, { endpointFailure: true });
        }
        if (i > 0) this.logger?.warn('secret read from a replica region', { secretId, region: t.region });
        return { out: r.value, region: t.region };
      } catch (e) {
        const endpoint = (e as { endpointFailure?: boolean }).endpointFailure || isEndpointFailure(e);
        lastErr = (e as Error)?.name === 'SecretsClientError' ? (e as SecretsClientError) : this.wrap(e, secretId, api, what, t.region);
        const next = targets[i + 1];
        if (!endpoint || !next) throw lastErr;
        if (t === primary) this.primaryDownUntil = this.clock.now() + (this.failover?.cooldownMs ?? DEFAULTS.failoverCooldownMs);
        this.emit('failover', { secretId, fromRegion: t.region ?? 'primary', toRegion: next.region ?? 'primary', errorName: lastErr.causeName });
      }
    }
    throw lastErr!;
  }

  /** An SDK error as our error: its name and a scrubbed message, never the raw object. */
  private wrap(e: unknown, secretId: string, api: string, what: string, region?: string): SecretsClientError {
    const r = (e ?? {}) as RawError;
    const name = r.name && r.name !== 'Error' ? r.name : (r.code ?? 'Error');
    const code =
      name === 'ResourceNotFoundException'
        ? 'NotFound'
        : name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException'
          ? 'AccessDenied'
          : name === 'AbortError'
            ? 'Aborted'
            : isEndpointFailure(e)
              ? 'Unavailable'
              : 'Failed';
    const message = this.redactor.scrub(String(r.message ?? '')).slice(0, 300);
    return new SecretsClientError(code, `secret ${secretId} (${what}): ${api} failed${region ? ` in ${region}` : ''}: ${name}${message ? `: ${message}` : ''}`, {
      secretId,
      transient: isTransient(e),
      causeName: name,
    });
  }

  emit(kind: keyof CacheHooks, e: CacheEvent): void {
    const fn = this.hooks[kind];
    if (!fn) return;
    try {
      fn(e);
    } catch {
      // A metrics hook must never break a read.
    }
  }

  /** Scrubs every value the cache has held out of `text`. */
  scrub(text: string): string {
    return this.redactor.scrub(text);
  }
}

function keyOf(secretId: string, opts: { versionStage?: string; versionId?: string }): string {
  return opts.versionId ? `${secretId}\u0000id:${opts.versionId}` : `${secretId}\u0000stage:${opts.versionStage ?? AWSCURRENT}`;
}

function describeKey(opts: { versionStage?: string; versionId?: string }): string {
  return opts.versionId ? `version ${opts.versionId}` : (opts.versionStage ?? AWSCURRENT);
}
