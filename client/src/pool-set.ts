/**
 * One driver pool per credentials pool key, shared by the pg and mysql2 pools: new connections
 * come from the pool of the current credentials; when they change (a rotation seen, a recovery
 * after a refused login, another IAM user), the other pools are retired: they take no new
 * connection and are ended once the connections they lent out are back.
 */
import type { DatabaseCredentials, LoginCredentials } from './credentials';

export interface Held<P> {
  key: string;
  pool: P;
  /** The newest credentials of this key (an IAM pool's token changes; its key does not). */
  creds: DatabaseCredentials;
}

export class PoolSet<P> {
  private readonly pools = new Map<string, Held<P>>();
  private ended = false;

  constructor(
    private readonly what: string,
    private readonly make: (held: Held<P>) => P,
    private readonly retire: (pool: P) => void,
  ) {}

  /** The pool for `c` (made when missing); every other pool is retired. */
  for(c: DatabaseCredentials): Held<P> {
    if (this.ended) throw new Error(`${this.what}: used after end()`);
    let held = this.pools.get(c.poolKey);
    if (held) {
      held.creds = c;
    } else {
      held = { key: c.poolKey, creds: c, pool: undefined as unknown as P };
      held.pool = this.make(held);
      this.pools.set(c.poolKey, held);
    }
    for (const [key, other] of this.pools) {
      if (other === held) continue;
      this.pools.delete(key);
      this.retire(other.pool);
    }
    return held;
  }

  /** The live pool of a key without making one. */
  get(key: string | undefined): Held<P> | undefined {
    return key === undefined ? undefined : this.pools.get(key);
  }

  live(): P[] {
    return [...this.pools.values()].map((h) => h.pool);
  }

  /** Takes every live pool out (the caller ends them); later `for` calls throw. */
  close(): P[] {
    this.ended = true;
    const all = this.live();
    this.pools.clear();
    return all;
  }

  get isEnded(): boolean {
    return this.ended;
  }
}

/** The credentials of a pool: given, or read from a secret through the cache. */
export function credentialsFrom<O extends { secrets?: unknown; secretId?: string | undefined; credentials?: LoginCredentials | undefined }>(
  o: O,
  make: () => LoginCredentials,
  what: string,
): LoginCredentials {
  if (o.credentials) return o.credentials;
  if (!o.secrets || !o.secretId) throw new TypeError(`${what}: give either \`secrets\` and \`secretId\`, or \`credentials\``);
  return make();
}
