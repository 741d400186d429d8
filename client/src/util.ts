/**
 * Small pieces every part of the client shares: the clock (injectable, so tests run on fake
 * time with no real sleeps), errors that never carry a value, abort/timeout plumbing.
 */

/** Time source and timers. Inject a fake one in tests; the default is the system clock. */
export interface Clock {
  now(): number;
  /**
   * `background`: the timer must not keep the process alive (request timeouts; nothing a caller
   * waits for depends on the timer alone). Timers a caller waits on (retry backoff) hold it.
   */
  setTimeout(fn: () => void, ms: number, opts?: { background?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, opts) => {
    const t = setTimeout(fn, ms);
    if (opts?.background) t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type ErrorCode =
  | 'NotFound'
  | 'AccessDenied'
  | 'Timeout'
  | 'Aborted'
  | 'Unavailable'
  | 'Throttled'
  | 'KmsFailure'
  | 'Failed'
  | 'Closed'
  | 'NotJson'
  | 'MissingKey'
  | 'Invalid'
  | 'NotString'
  | 'NotBinary'
  | 'AuthFailed'
  | 'LoginLimit';

/**
 * Every error the client throws. The message names the secret, the stage or version and what
 * went wrong; it never contains a secret value (values are also scrubbed from anything taken
 * from an underlying error). `transient` says whether retrying later can help.
 */
export class SecretsClientError extends Error {
  readonly code: ErrorCode;
  readonly secretId: string | undefined;
  readonly transient: boolean;
  /** Name of the underlying error (e.g. `ThrottlingException`, `ECONNREFUSED`), never its payload. */
  readonly causeName: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    opts: { secretId?: string | undefined; transient?: boolean | undefined; causeName?: string | undefined } = {},
  ) {
    super(message);
    this.name = 'SecretsClientError';
    this.code = code;
    this.secretId = opts.secretId;
    this.transient = opts.transient ?? false;
    this.causeName = opts.causeName;
  }
}

/** Rejects with an `Aborted` error when `signal` aborts, otherwise settles as `p` does. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function abortError(what: string): SecretsClientError {
  return new SecretsClientError('Aborted', `${what}: aborted by the caller`);
}

/** Runs `fn` with a signal that aborts after `ms` (on `clock`) or when `parent` aborts. */
export async function withTimeout<T>(
  clock: Clock,
  ms: number,
  parent: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T } | { timedOut: true }> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(
    () => {
      timedOut = true;
      ac.abort();
    },
    ms,
    { background: true },
  );
  const onParent = () => ac.abort();
  parent?.addEventListener('abort', onParent, { once: true });
  try {
    const work = fn(ac.signal);
    // The timer wins even when the callee ignores the signal.
    const timeout = new Promise<'timeout'>((resolve) => ac.signal.addEventListener('abort', () => resolve('timeout'), { once: true }));
    const r = await Promise.race([work.then((value) => ({ value })), timeout]);
    if (r === 'timeout') {
      work.catch(() => undefined);
      if (timedOut) return { timedOut: true };
      throw abortError('request');
    }
    return r;
  } catch (e) {
    if (timedOut) return { timedOut: true };
    throw e;
  } finally {
    clock.clearTimeout(timer);
    parent?.removeEventListener('abort', onParent);
  }
}

/** Sleeps on `clock`; rejects with `Aborted` when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError('wait'));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(abortError('wait'));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Remembers the values the cache holds now, so they can be cut out of any text that leaves the
 * client (log lines, error messages built from an underlying error): whole values and, for JSON
 * objects, their string fields except the ones that name rather than protect.
 *
 * Values are held per owner (a cache entry): replacing or dropping the entry replaces or drops its
 * values, so a rotated-away password is not kept. At most `limit` strings are held in all; beyond
 * that the owners used least recently are forgotten first.
 */
const NAMING_FIELDS = new Set([
  'engine',
  'host',
  'port',
  'username',
  'user',
  'dbname',
  'database',
  'dbClusterIdentifier',
  'dbInstanceIdentifier',
  'masterarn',
  'auth',
]);
export class Redactor {
  private readonly owners = new Map<string, string[]>();
  /** Every string held, by its first 4 characters (a scrub looks up each position of the text, not each value). */
  private readonly index = new Map<string, Map<string, number>>();
  private count = 0;
  constructor(readonly limit = 10_000) {}

  /** Strings held in all (never more than `limit`). */
  get size(): number {
    return this.count;
  }

  /** The values of `owner` are now those of `text` (undefined: none). */
  set(owner: string, text: string | undefined): void {
    this.drop(owner);
    if (!text) return;
    const out = new Set<string>();
    const one = (v: string) => {
      // Shorter strings would blank out ordinary words; a secret that short protects nothing.
      if (v.length < 4) return;
      out.add(v);
      const escaped = JSON.stringify(v).slice(1, -1);
      if (escaped !== v) out.add(escaped);
    };
    one(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const walk = (v: unknown, key?: string): void => {
      if (out.size >= this.limit) return;
      if (typeof v === 'string' && !(key && NAMING_FIELDS.has(key))) one(v);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    if (parsed && typeof parsed === 'object') walk(parsed);
    const values = [...out].slice(0, this.limit);
    this.owners.set(owner, values);
    this.count += values.length;
    for (const v of values) {
      const p = v.slice(0, 4);
      let m = this.index.get(p);
      if (!m) {
        m = new Map();
        this.index.set(p, m);
      }
      m.set(v, (m.get(v) ?? 0) + 1);
    }
    for (const oldest of this.owners.keys()) {
      if (this.count <= this.limit) break;
      if (oldest !== owner) this.drop(oldest);
    }
  }

  drop(owner: string): void {
    const values = this.owners.get(owner);
    if (!values) return;
    this.owners.delete(owner);
    this.count -= values.length;
    for (const v of values) {
      const p = v.slice(0, 4);
      const m = this.index.get(p)!;
      const n = m.get(v)! - 1;
      if (n > 0) m.set(v, n);
      else m.delete(v);
      if (m.size === 0) this.index.delete(p);
    }
  }

  clear(): void {
    this.owners.clear();
    this.index.clear();
    this.count = 0;
  }

  scrub(text: string): string {
    if (this.count === 0) return text;
    const found = new Set<string>();
    for (let i = 0; i + 4 <= text.length; i++) {
      const m = this.index.get(text.slice(i, i + 4));
      if (m) for (const v of m.keys()) if (text.startsWith(v, i)) found.add(v);
    }
    let out = text;
    // longest first, so a value that contains another is cut whole
    for (const v of [...found].sort((a, b) => b.length - a.length)) out = out.split(v).join('[REDACTED]');
    return out;
  }
}

/** Deep-freezes a parsed JSON value, so a shared cached object cannot be changed by one caller. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** A counting semaphore whose waiters can give up through a signal. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.size) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(go);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError('waiting for a login slot'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(go);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}
