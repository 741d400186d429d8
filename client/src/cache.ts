/**
 * A caching reader of Secrets Manager values that knows about rotation.
 *
 * - One entry per (secret, version stage) or (secret, version id); TTL 5 minutes with jitter.
 * - One fetch in flight per entry: any number of concurrent gets of a missing entry cost one call.
 * - An expired entry is served while its refresh runs in the background (stale-while-revalidate),
 *   up to `maxStaleMs` past its expiry. A failed refresh keeps the entry only when the error is
 *   transient (throttling, 5xx, network, timeout) and retries with backoff; any other error
 *   (access denied, secret deleted, KMS) drops it and the next get fails.
 * - Errors are remembered per entry and retried after a jittered, doubling backoff: up to
 *   `errorBackoffMaxMs` for transient errors, `nonTransientBackoffMaxMs` (5 s) for the others, so
 *   a fixed permission or a secret created late is seen within seconds; `invalidate()` forgets
 *   them at once.
 * - Forced refreshes (after a database refused a password) are rate-limited per entry: inside the
 *   interval they return at once with what is cached, they never sleep.
 * - Rotation watch: a background DescribeSecret per secret (no value, no KMS call) every
 *   `watchIntervalMs`, every `pendingWatchIntervalMs` while an AWSPENDING version exists, and at
 *   NextRotationDate. An entry whose stage moved to another version is dropped (event `rotation`);
 *   a secret scheduled for deletion or gone is dropped whole (event `deleted`). A role that may not
 *   describe pauses the watch for `watchDeniedRetryMs` and it is tried again (a grant added later
 *   is picked up).
 * - Bounded: at most `maxEntries` entries (remembered failures included), least recently used
 *   dropped first, and with an entry goes everything kept for it (its failure state, its values
 *   in the redactor, its secret's watch when it was the last). `close()` ends it all.
 * - Background work never holds the process open: request timers are unref'd and `close()` aborts
 *   requests in flight.
 * - Replica failover: when the primary region's endpoint fails, the same call goes to the
 *   replica regions in order, and the primary is skipped for `cooldownMs`.
 * - Values never reach a log line, an event or an error message.
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Clock, deepFreeze, type ErrorCode, Redactor, SecretsClientError, systemClock, withTimeout, raceSignal } from './util';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** What the cache needs of an SDK v3 client (a `SecretsManagerClient` fits; tests inject fakes). */
export interface SecretsManagerSender {
  send(command: any, options?: any): Promise<any>;
}

/** A sender the cache created itself (and so destroys on `close()`). */
interface OwnedClient extends SecretsManagerSender {
  destroy(): void;
}

/** Events for metrics. Fields name secrets, stages and versions; never values. */
export interface CacheEvent {
  secretId: string;
  stage?: string | undefined;
  versionId?: string | undefined;
  /** For `stale`: how long past expiry; for `hit`: age of the entry; for `authRecovered`: how long logins were refused. */
  ageMs?: number | undefined;
  reason?: string | undefined;
  errorName?: string | undefined;
  /** For `rotation`: the version the stage moved from / to. */
  fromVersionId?: string | undefined;
  toVersionId?: string | undefined;
  /** For `failover`: the regions. */
  fromRegion?: string | undefined;
  toRegion?: string | undefined;
  /** For `authRetry`: refused logins of these credentials in the current window. */
  failedLogins?: number | undefined;
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
  /** A login succeeded after refused ones (`ageMs`: since the first refusal). */
  authRecovered?(e: CacheEvent): void;
  /** The secret is scheduled for deletion or gone: everything cached for it was dropped. */
  deleted?(e: CacheEvent): void;
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
  clientFor?: ((region: string) => SecretsManagerSender) | undefined;
  /** How long the primary is skipped after it failed (ms). */
  cooldownMs?: number | undefined;
}

export interface SecretCacheOptions {
  /** SDK client (default: `new SecretsManagerClient({ region })`, destroyed by `close()`). */
  client?: SecretsManagerSender | undefined;
  /** Region of the primary (for failover events and ARN rewriting; default: the client's). */
  region?: string | undefined;
  ttlMs?: number | undefined;
  /** Fraction of the TTL taken off at random, so a fleet does not refresh in step. */
  jitter?: number | undefined;
  maxStaleMs?: number | undefined;
  minForcedRefreshIntervalMs?: number | undefined;
  /** Per-call timeout of one Secrets Manager request. */
  requestTimeoutMs?: number | undefined;
  /** Default timeout of a whole get (waiting for a shared fetch included). */
  timeoutMs?: number | undefined;
  errorBackoffBaseMs?: number | undefined;
  /** Longest backoff after transient errors (throttling, 5xx, network, timeouts). */
  errorBackoffMaxMs?: number | undefined;
  /** Longest backoff after other errors (access denied, not found, KMS): how soon a fix is seen. */
  nonTransientBackoffMaxMs?: number | undefined;
  watch?: boolean | undefined;
  watchIntervalMs?: number | undefined;
  pendingWatchIntervalMs?: number | undefined;
  /** After DescribeSecret was denied, the watch of that secret is tried again this much later. */
  watchDeniedRetryMs?: number | undefined;
  /** Entries kept (values and remembered failures), least recently used dropped first. */
  maxEntries?: number | undefined;
  /** Strings the redactor holds at most (whole values and JSON fields of the entries kept). */
  maxRedactedValues?: number | undefined;
  failover?: FailoverOptions | undefined;
  hooks?: CacheHooks | undefined;
  logger?: CacheLogger | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
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
  nonTransientBackoffMaxMs: 5_000,
  watch: true,
  watchIntervalMs: 60_000,
  pendingWatchIntervalMs: 5_000,
  watchDeniedRetryMs: 15 * 60_000,
  maxEntries: 1_000,
  maxRedactedValues: 10_000,
  failoverCooldownMs: 60_000,
} as const;

export interface GetOptions {
  /** Default AWSCURRENT (ignored when `versionId` is given). */
  versionStage?: string | undefined;
  versionId?: string | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Fetch now instead of using the cache (rate-limited per entry; never sleeps). */
  forceRefresh?: boolean | undefined;
}

/** What `getJson` takes besides `GetOptions`. */
export interface JsonOptions<T> extends GetOptions {
  /** One top-level field of the JSON object. */
  key?: string | undefined;
  /** Validates and types the value (e.g. a zod schema's `parse`); its message is never passed on. */
  parse?: ((v: unknown) => T) | undefined;
}

/** Sizes of what the cache holds (for tests, metrics and the memory benchmark). */
export interface CacheStats {
  /** Keys held: entries with a value and remembered failures. At most `maxEntries`. */
  slots: number;
  /** Entries with a value. */
  entries: number;
  /** Secrets with a rotation watch. */
  watches: number;
  /** Strings in the redactor. At most `maxRedactedValues`. */
  redactedValues: number;
}

/** A secret version as read: value plus the identifiers (never logged with the value). */
export interface SecretVersion {
  secretId: string;
  arn?: string | undefined;
  name?: string | undefined;
  versionId: string;
  versionStages: string[];
  /** The stage this entry was asked for (undefined when read by version id). */
  stage?: string | undefined;
  string?: string | undefined;
  binary?: Uint8Array | undefined;
  /** Region that served the value. */
  region?: string | undefined;
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

/** Everything kept for one key (secret + stage or version id): its entry and its fetch state. */
interface Slot {
  key: string;
  secretId: string;
  entry?: Entry | undefined;
  inflight?: Promise<Entry> | undefined;
  failures: number;
  nextRetryAt: number;
  lastError?: SecretsClientError | undefined;
  lastForcedAt: number;
}

interface WatchState {
  nextAt: number;
  inflight?: Promise<void> | undefined;
  /** DescribeSecret was denied: paused until `nextAt`. */
  denied: boolean;
  pendingVersionId?: string | undefined;
  nextRotationAt?: number | undefined;
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'Throttling',
  'ThrottledException',
]);
const ENDPOINT_NAMES = new Set([
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);
/** Secrets Manager's own KMS errors, and KMS's when they surface through it. */
const KMS_NAMES = new Set([
  'DecryptionFailure',
  'EncryptionFailure',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSInvalidKeyUsageException',
  'KeyUnavailableException',
  'DisabledException',
  'InvalidCiphertextException',
]);

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
  return ENDPOINT_NAMES.has(r.name ?? '');
}

export function isTransient(e: unknown): boolean {
  const r = (e ?? {}) as RawError;
  if ((r as SecretsClientError).name === 'SecretsClientError') return (r as SecretsClientError).transient;
  return isEndpointFailure(e) || THROTTLING_NAMES.has(r.name ?? '') || !!r.$retryable;
}

/** The same secret's ARN in another region (replicas keep name, account and suffix). */
export function arnInRegion(secretId: string, region: string): string {
  const m = /^arn:([a-z-]+):secretsmanager:[a-z0-9-]+:(\d{12}):secret:(.+)$/.exec(secretId);
  return m ? `arn:${m[1]}:secretsmanager:${region}:${m[2]}:secret:${m[3]}` : secretId;
}

type Settings = {
  [K in Exclude<keyof SecretCacheOptions, 'client' | 'region' | 'failover' | 'hooks' | 'logger' | 'clock' | 'random'>]-?: Exclude<
    SecretCacheOptions[K],
    undefined
  >;
};

export class SecretCache {
  private readonly o: Settings;
  private readonly client: SecretsManagerSender;
  private readonly region: string | undefined;
  private readonly failover: FailoverOptions | undefined;
  private readonly replicaClients = new Map<string, SecretsManagerSender>();
  /** Clients the cache created (destroyed by `close()`); injected ones belong to the caller. */
  private readonly owned: OwnedClient[] = [];
  private primaryDownUntil = 0;
  private readonly hooks: CacheHooks;
  private readonly logger: CacheLogger | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  /** Every key's slot, least recently used first. */
  private readonly slots = new Map<string, Slot>();
  private readonly bySecret = new Map<string, Set<string>>();
  private readonly watches = new Map<string, WatchState>();
  /** The values of the entries held, to scrub text that leaves the client. */
  readonly redactor: Redactor;
  /** Secrets Manager calls made, by API (for tests and benchmarks). */
  readonly apiCalls = { GetSecretValue: 0, DescribeSecret: 0 };
  private readonly closing = new AbortController();

  constructor(options: SecretCacheOptions = {}) {
    const pick = <K extends keyof Settings>(k: K): Settings[K] => (options[k] ?? DEFAULTS[k as keyof typeof DEFAULTS]) as Settings[K];
    this.o = {
      ttlMs: pick('ttlMs'),
      jitter: pick('jitter'),
      maxStaleMs: pick('maxStaleMs'),
      minForcedRefreshIntervalMs: pick('minForcedRefreshIntervalMs'),
      requestTimeoutMs: pick('requestTimeoutMs'),
      timeoutMs: pick('timeoutMs'),
      errorBackoffBaseMs: pick('errorBackoffBaseMs'),
      errorBackoffMaxMs: pick('errorBackoffMaxMs'),
      nonTransientBackoffMaxMs: pick('nonTransientBackoffMaxMs'),
      watch: pick('watch'),
      watchIntervalMs: pick('watchIntervalMs'),
      pendingWatchIntervalMs: pick('pendingWatchIntervalMs'),
      watchDeniedRetryMs: pick('watchDeniedRetryMs'),
      maxEntries: pick('maxEntries'),
      maxRedactedValues: pick('maxRedactedValues'),
    };
    if (!(this.o.jitter >= 0 && this.o.jitter < 1)) throw new RangeError('jitter must be in [0, 1)');
    if (!(this.o.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    if (!(this.o.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    this.redactor = new Redactor(this.o.maxRedactedValues);
    this.region = options.region;
    this.client = options.client ?? this.own(new SecretsManagerClient(options.region ? { region: options.region } : {}));
    this.failover = options.failover;
    this.hooks = options.hooks ?? {};
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  private own(c: SecretsManagerClient): SecretsManagerSender {
    this.owned.push(c);
    return c;
  }

  // ------------------------------------------------------------------------------- reading

  /** The version (value and identifiers) of a secret's stage or version id. */
  async getSecret(secretId: string, opts: GetOptions = {}): Promise<SecretVersion> {
    return (await this.entry(secretId, opts)).version;
  }

  /** A string value. */
  async getString(secretId: string, opts: GetOptions = {}): Promise<string> {
    const v = await this.getSecret(secretId, opts);
    if (v.string === undefined) throw binaryError(secretId, opts, 'getString()');
    return v.string;
  }

  /** A binary value (SecretBinary). */
  async getBinary(secretId: string, opts: GetOptions = {}): Promise<Uint8Array> {
    const v = await this.getSecret(secretId, opts);
    if (v.binary === undefined)
      throw new SecretsClientError(
        'NotBinary',
        `secret ${secretId} (${describeKey(opts)}) holds a string value (SecretString); read it with getString() or getJson()`,
        { secretId },
      );
    return v.binary;
  }

  /**
   * A JSON value, parsed once per version and deep-frozen (shared by every caller). `key`
   * extracts one top-level field; `parse` validates (e.g. a zod schema's `parse`) and types it.
   */
  async getJson<T = unknown>(secretId: string, opts: JsonOptions<T> = {}): Promise<T> {
    const e = await this.entry(secretId, opts);
    const what = `secret ${secretId} (${describeKey(opts)})`;
    // A binary value is reported as binary, whatever its bytes hold.
    if (e.version.string === undefined) throw binaryError(secretId, opts, 'getJson()');
    if (!e.parsed) {
      try {
        e.parsed = { value: deepFreeze(JSON.parse(e.version.string)) };
      } catch {
        e.parsed = { error: true };
      }
    }
    // JSON.parse's own message quotes the text it failed on: never pass it on.
    if ('error' in e.parsed)
      throw new SecretsClientError('NotJson', `${what} is not valid JSON (version ${e.version.versionId})`, { secretId });
    let v: unknown = e.parsed.value;
    if (opts.key !== undefined) {
      if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, opts.key)) {
        throw new SecretsClientError('MissingKey', `${what} has no key "${opts.key}" (version ${e.version.versionId})`, { secretId });
      }
      v = (v as Record<string, unknown>)[opts.key];
    }
    if (opts.parse) {
      try {
        return opts.parse(v);
      } catch (err) {
        // A validator's message may quote the value it rejected: keep only its name.
        throw new SecretsClientError(
          'Invalid',
          `${what}${opts.key ? ` key "${opts.key}"` : ''} failed validation (${(err as Error)?.name ?? 'Error'})`,
          { secretId },
        );
      }
    }
    return v as T;
  }

  /**
   * What is cached for a key, without waiting (undefined when nothing is). Kicks off the refresh
   * and the rotation watch when they are due, as a get would.
   */
  peek(secretId: string, opts: Pick<GetOptions, 'versionStage' | 'versionId'> = {}): SecretVersion | undefined {
    if (this.closing.signal.aborted) return undefined;
    const slot = this.slots.get(keyOf(secretId, opts));
    const e = slot?.entry;
    if (!slot || !e) return undefined;
    this.watchTick(secretId);
    const now = this.clock.now();
    if (now >= e.expiresAt) this.backgroundRefresh(slot, opts, now);
    return e.version;
  }

  /** The AWSPENDING version id the watch last saw (undefined when none or not watched). */
  pendingVersionId(secretId: string): string | undefined {
    return this.watches.get(secretId)?.pendingVersionId;
  }

  /**
   * Forgets what is kept for a secret (every stage and version, remembered errors and their
   * backoff, the rotation watch), or for every secret when called without one: the next get asks
   * Secrets Manager at once. A fetch in flight still answers its callers but is not kept.
   */
  invalidate(secretId?: string): void {
    if (secretId === undefined) {
      for (const slot of [...this.slots.values()]) this.removeSlot(slot);
      return;
    }
    for (const key of [...(this.bySecret.get(secretId) ?? [])]) {
      const slot = this.slots.get(key);
      if (slot) this.removeSlot(slot);
    }
    this.watches.delete(secretId);
  }

  /** How much the cache holds. */
  stats(): CacheStats {
    let entries = 0;
    for (const s of this.slots.values()) if (s.entry) entries++;
    return { slots: this.slots.size, entries, watches: this.watches.size, redactedValues: this.redactor.size };
  }

  /**
   * Drops everything, aborts the requests in flight (their callers get `Closed`) and destroys the
   * SDK clients the cache created. Later gets fail with `Closed`. Idempotent.
   */
  close(): void {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.invalidate();
    this.watches.clear();
    this.redactor.clear();
    for (const c of this.owned) c.destroy();
    this.owned.length = 0;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  // ------------------------------------------------------------------------------ internals

  private closedError(secretId: string): SecretsClientError {
    return new SecretsClientError('Closed', `secret ${secretId}: the SecretCache was closed`, { secretId });
  }

  private async entry(secretId: string, opts: GetOptions): Promise<Entry> {
    if (this.closed) throw this.closedError(secretId);
    const key = keyOf(secretId, opts);
    const what = `secret ${secretId} (${describeKey(opts)})`;
    const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs;
    const wait = async (p: Promise<Entry>): Promise<Entry> => {
      const r = await withTimeout(this.clock, timeoutMs, opts.signal, () => raceSignal(p, opts.signal, what)).catch(
        (e: SecretsClientError) => {
          throw e?.code === 'Aborted' ? new SecretsClientError('Aborted', `${what}: aborted by the caller`, { secretId }) : e;
        },
      );
      if ('timedOut' in r)
        throw new SecretsClientError('Timeout', `${what}: no answer within ${timeoutMs} ms`, { secretId, transient: true });
      return r.value;
    };
    if (opts.signal?.aborted) throw new SecretsClientError('Aborted', `${what}: aborted by the caller`, { secretId });
    const now = this.clock.now();
    const slot = this.use(secretId, key);
    const e = slot.entry;
    const stage = opts.versionId ? undefined : (opts.versionStage ?? AWSCURRENT);

    if (opts.forceRefresh) {
      if (slot.inflight) return wait(slot.inflight);
      if (now - slot.lastForcedAt < this.o.minForcedRefreshIntervalMs) {
        // Rate-limited: answer now with what we have (never sleep): the entry, or the error a
        // forced fetch just got; a miss with neither still fetches.
        if (e) {
          this.emit('hit', {
            secretId,
            stage: e.version.stage,
            versionId: e.version.versionId,
            ageMs: now - e.fetchedAt,
            reason: 'forced refresh rate-limited',
          });
          return e;
        }
        if (slot.lastError) throw slot.lastError;
      }
      slot.lastForcedAt = now;
      return wait(this.fetchShared(slot, opts));
    }

    if (e) {
      this.watchTick(secretId);
      if (now < e.expiresAt) {
        this.emit('hit', { secretId, stage: e.version.stage, versionId: e.version.versionId, ageMs: now - e.fetchedAt });
        return e;
      }
      if (now - e.expiresAt <= this.o.maxStaleMs) {
        this.backgroundRefresh(slot, opts, now);
        this.emit('stale', {
          secretId,
          stage: e.version.stage,
          versionId: e.version.versionId,
          ageMs: now - e.expiresAt,
          reason: slot.lastError ? 'refresh failed' : 'refreshing',
          errorName: slot.lastError?.causeName,
        });
        return e;
      }
      // Too stale to serve: the get waits for a fetch, as a miss does.
    }

    if (slot.inflight) {
      this.emit('miss', { secretId, stage, reason: 'joined fetch in flight' });
      return wait(slot.inflight);
    }
    if (slot.lastError && now < slot.nextRetryAt) {
      // A recent failure: fail fast instead of calling again (no stampede against a failing API).
      throw slot.lastError;
    }
    this.emit('miss', { secretId, stage });
    return wait(this.fetchShared(slot, opts));
  }

  /** The slot of a key, made the most recently used (created when missing; the oldest evicted). */
  private use(secretId: string, key: string): Slot {
    let slot = this.slots.get(key);
    if (slot) {
      this.slots.delete(key);
      this.slots.set(key, slot);
      return slot;
    }
    slot = { key, secretId, failures: 0, nextRetryAt: 0, lastForcedAt: -Infinity };
    this.slots.set(key, slot);
    let keys = this.bySecret.get(secretId);
    if (!keys) {
      keys = new Set();
      this.bySecret.set(secretId, keys);
    }
    keys.add(key);
    for (const oldest of this.slots.values()) {
      if (this.slots.size <= this.o.maxEntries) break;
      this.removeSlot(oldest);
    }
    return slot;
  }

  /** Forgets a slot and everything kept for it; the secret's watch goes with its last slot. */
  private removeSlot(slot: Slot): void {
    if (this.slots.get(slot.key) !== slot) return;
    this.slots.delete(slot.key);
    this.redactor.drop(slot.key);
    const keys = this.bySecret.get(slot.secretId);
    keys?.delete(slot.key);
    if (keys && keys.size === 0) {
      this.bySecret.delete(slot.secretId);
      this.watches.delete(slot.secretId);
    }
  }

  private dropEntry(slot: Slot): void {
    slot.entry = undefined;
    this.redactor.drop(slot.key);
  }

  private backgroundRefresh(slot: Slot, opts: GetOptions, now: number): void {
    if (slot.inflight || now < slot.nextRetryAt) return;
    this.fetchShared(slot, opts).catch(() => undefined); // outcome recorded in the slot
  }

  /** One fetch per key: later callers join the promise of the first. */
  private fetchShared(slot: Slot, opts: GetOptions): Promise<Entry> {
    if (slot.inflight) return slot.inflight;
    const { secretId } = slot;
    const p = this.fetch(slot, opts).then(
      (entry) => {
        slot.failures = 0;
        slot.lastError = undefined;
        slot.nextRetryAt = 0;
        return entry;
      },
      (err: SecretsClientError) => {
        if (this.closed) throw this.closedError(secretId);
        const now = this.clock.now();
        slot.failures++;
        slot.lastError = err;
        const cap = err.transient ? this.o.errorBackoffMaxMs : this.o.nonTransientBackoffMaxMs;
        const backoff = Math.min(cap, this.o.errorBackoffBaseMs * 2 ** Math.min(30, slot.failures - 1));
        slot.nextRetryAt = now + backoff * (0.5 + this.random() * 0.5);
        const e = slot.entry;
        this.emit('error', { secretId, stage: e?.version.stage ?? opts.versionStage, reason: err.code, errorName: err.causeName });
        if (e && !err.transient) {
          // Access revoked, secret deleted, KMS refused: the old value must not be served on.
          this.dropEntry(slot);
          this.logger?.warn('secret refresh failed with a non-transient error; cached value dropped', {
            secretId,
            code: err.code,
            error: err.causeName,
          });
        } else if (e) {
          this.logger?.warn('secret refresh failed; serving the cached value until it is too stale', {
            secretId,
            code: err.code,
            error: err.causeName,
            maxStaleMs: this.o.maxStaleMs,
          });
        }
        throw err;
      },
    );
    slot.inflight = p;
    p.finally(() => {
      if (slot.inflight === p) slot.inflight = undefined;
    }).catch(() => undefined);
    return p;
  }

  private async fetch(slot: Slot, opts: GetOptions): Promise<Entry> {
    const { secretId, key } = slot;
    const stage = opts.versionId ? undefined : (opts.versionStage ?? AWSCURRENT);
    const r = await this.call(
      'GetSecretValue',
      secretId,
      (id) => new GetSecretValueCommand({ SecretId: id, VersionId: opts.versionId, VersionStage: opts.versionId ? undefined : stage }),
      describeKey(opts),
    );
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
    let expiresAt = now + this.o.ttlMs * (1 - this.o.jitter * this.random());
    const w = this.watches.get(secretId);
    if (w?.nextRotationAt && w.nextRotationAt > now) expiresAt = Math.min(expiresAt, w.nextRotationAt);
    const entry: Entry = { key, version, fetchedAt: now, expiresAt };
    // Evicted or invalidated while the call ran: the waiting callers get the value, nothing is kept.
    if (this.closed || this.slots.get(key) !== slot) return entry;
    const previous = slot.entry;
    if (previous && previous.version.versionId !== version.versionId && stage) {
      this.emit('rotation', {
        secretId,
        stage,
        fromVersionId: previous.version.versionId,
        toVersionId: version.versionId,
        reason: 'refresh',
      });
    }
    slot.entry = entry;
    this.redactor.set(key, version.string ?? (version.binary ? Buffer.from(version.binary).toString('base64') : undefined));
    if (!w && this.o.watch) this.watches.set(secretId, { nextAt: now + this.o.watchIntervalMs, denied: false });
    return entry;
  }

  // --------------------------------------------------------------------------- rotation watch

  private watchTick(secretId: string): void {
    if (!this.o.watch) return;
    const w = this.watches.get(secretId);
    if (!w || w.inflight || this.clock.now() < w.nextAt) return;
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
      if (this.watches.get(secretId) !== w) return;
      const now = this.clock.now();
      this.emit('error', { secretId, reason: `watch: ${err.code}`, errorName: err.causeName });
      if (err.code === 'NotFound') return this.deleted(secretId, 'DescribeSecret: not found');
      if (err.code === 'AccessDenied') {
        // The role lacks secretsmanager:DescribeSecret: values follow the TTL until a later try works.
        if (!w.denied)
          this.logger?.warn('rotation watch paused: DescribeSecret is not allowed; values follow the TTL until it is', {
            secretId,
            retryInMs: this.o.watchDeniedRetryMs,
          });
        w.denied = true;
        w.nextAt = now + this.o.watchDeniedRetryMs;
      } else {
        w.nextAt = now + this.o.watchIntervalMs;
      }
      return;
    }
    if (this.watches.get(secretId) !== w) return; // invalidated or evicted meanwhile
    if (w.denied) this.logger?.warn('rotation watch resumed: DescribeSecret is allowed again', { secretId });
    w.denied = false;
    if (out.DeletedDate) return this.deleted(secretId, 'scheduled for deletion');
    const now = this.clock.now();
    const stages: Record<string, string[]> = out.VersionIdsToStages ?? {};
    const holder = (stage: string) => Object.entries(stages).find(([, s]) => s.includes(stage))?.[0];
    w.pendingVersionId = Object.entries(stages).find(([, s]) => s.includes(AWSPENDING) && !s.includes(AWSCURRENT))?.[0];
    const next = out.NextRotationDate ? new Date(out.NextRotationDate).getTime() : undefined;
    w.nextRotationAt = next;
    for (const key of this.bySecret.get(secretId) ?? []) {
      const slot = this.slots.get(key);
      const e = slot?.entry;
      if (!slot || !e?.version.stage) continue;
      const to = holder(e.version.stage);
      if (to !== e.version.versionId) {
        this.dropEntry(slot);
        this.emit('rotation', { secretId, stage: e.version.stage, fromVersionId: e.version.versionId, toVersionId: to, reason: 'watch' });
      } else if (next && next > now) {
        e.expiresAt = Math.min(e.expiresAt, next);
      }
    }
    let nextAt = now + (w.pendingVersionId ? this.o.pendingWatchIntervalMs : this.o.watchIntervalMs);
    if (next && next > now) nextAt = Math.min(nextAt, next);
    w.nextAt = nextAt;
  }

  /** The secret is scheduled for deletion or gone: nothing cached for it may be served. */
  private deleted(secretId: string, reason: string): void {
    this.invalidate(secretId);
    this.emit('deleted', { secretId, reason });
    this.logger?.warn('secret deleted or scheduled for deletion; everything cached for it was dropped', { secretId, reason });
  }

  // ----------------------------------------------------------------------- calls and failover

  private replicaClient(region: string): SecretsManagerSender {
    let c = this.replicaClients.get(region);
    if (!c) {
      c = this.failover?.clientFor ? this.failover.clientFor(region) : this.own(new SecretsManagerClient({ region }));
      this.replicaClients.set(region, c);
    }
    return c;
  }

  /** One API call with a timeout, failing over to replicas when the primary's endpoint fails. */
  private async call(
    api: 'GetSecretValue' | 'DescribeSecret',
    secretId: string,
    command: (id: string) => unknown,
    what: string,
  ): Promise<{ out: any; region: string | undefined }> {
    const targets: Array<{ region: string | undefined; client: SecretsManagerSender; id: string }> = [];
    const primary = { region: this.region, client: this.client, id: secretId };
    const replicas = (this.failover?.regions ?? []).map((region) => ({
      region,
      client: this.replicaClient(region),
      id: arnInRegion(secretId, region),
    }));
    const now = this.clock.now();
    if (replicas.length > 0 && now < this.primaryDownUntil) targets.push(...replicas, primary);
    else targets.push(primary, ...replicas);

    let lastErr: SecretsClientError | undefined;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      try {
        if (this.closed) throw this.closedError(secretId);
        this.apiCalls[api]++;
        const r = await withTimeout(this.clock, this.o.requestTimeoutMs, this.closing.signal, (signal) =>
          t.client.send(command(t.id), { abortSignal: signal }),
        );
        if ('timedOut' in r) {
          const err = new SecretsClientError(
            'Timeout',
            `secret ${secretId} (${what}): ${api} got no answer within ${this.o.requestTimeoutMs} ms${t.region ? ` in ${t.region}` : ''}`,
            { secretId, transient: true, causeName: 'TimeoutError' },
          );
          throw Object.assign(err, { endpointFailure: true });
        }
        if (i > 0) this.logger?.warn('secret read from a replica region', { secretId, region: t.region });
        return { out: r.value, region: t.region };
      } catch (e) {
        if (this.closed) throw this.closedError(secretId);
        const endpoint = (e as { endpointFailure?: boolean }).endpointFailure || isEndpointFailure(e);
        lastErr = (e as Error)?.name === 'SecretsClientError' ? (e as SecretsClientError) : this.wrap(e, secretId, api, what, t.region);
        const next = targets[i + 1];
        if (!endpoint || !next) throw lastErr;
        if (t === primary) this.primaryDownUntil = this.clock.now() + (this.failover?.cooldownMs ?? DEFAULTS.failoverCooldownMs);
        this.emit('failover', {
          secretId,
          fromRegion: t.region ?? 'primary',
          toRegion: next.region ?? 'primary',
          errorName: lastErr.causeName,
        });
      }
    }
    throw lastErr!;
  }

  /** An SDK error as our error: its name and a scrubbed message, never the raw object. */
  private wrap(e: unknown, secretId: string, api: string, what: string, region: string | undefined): SecretsClientError {
    const r = (e ?? {}) as RawError;
    const name = r.name && r.name !== 'Error' ? r.name : (r.code ?? 'Error');
    const text = String(r.message ?? '');
    const code: ErrorCode =
      name === 'ResourceNotFoundException' ||
      (name === 'InvalidRequestException' && /marked for deletion|scheduled for deletion/i.test(text))
        ? 'NotFound'
        : KMS_NAMES.has(name) || ((name === 'AccessDeniedException' || name === 'InvalidRequestException') && /\bKMS\b/.test(text))
          ? 'KmsFailure'
          : name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException'
            ? 'AccessDenied'
            : name === 'AbortError'
              ? 'Aborted'
              : THROTTLING_NAMES.has(name)
                ? 'Throttled'
                : isEndpointFailure(e)
                  ? 'Unavailable'
                  : 'Failed';
    const message = this.redactor.scrub(text).slice(0, 300);
    return new SecretsClientError(
      code,
      `secret ${secretId} (${what}): ${api} failed${region ? ` in ${region}` : ''}: ${name}${message ? `: ${message}` : ''}`,
      {
        secretId,
        transient: isTransient(e),
        causeName: name,
      },
    );
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

  /** Scrubs every value the cache holds out of `text`. */
  scrub(text: string): string {
    return this.redactor.scrub(text);
  }
}

function binaryError(secretId: string, opts: GetOptions, method: string): SecretsClientError {
  return new SecretsClientError(
    'NotString',
    `secret ${secretId} (${describeKey(opts)}) holds a binary value (SecretBinary), not text; ${method} reads SecretString: read it with getBinary()`,
    { secretId },
  );
}

function keyOf(secretId: string, opts: { versionStage?: string | undefined; versionId?: string | undefined }): string {
  return opts.versionId ? `${secretId}\u0000id:${opts.versionId}` : `${secretId}\u0000stage:${opts.versionStage ?? AWSCURRENT}`;
}

function describeKey(opts: { versionStage?: string | undefined; versionId?: string | undefined }): string {
  return opts.versionId ? `version ${opts.versionId}` : (opts.versionStage ?? AWSCURRENT);
}
