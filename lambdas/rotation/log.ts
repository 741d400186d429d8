/**
 * Structured logs (one JSON object a line, which CloudWatch Logs Insights reads as fields) that
 * never carry a secret value. Fields are limited to scalars the caller names; on top of that every
 * value the rotation handles is registered with `redact`, and every line and every error message
 * leaving the handler is scrubbed of them, so even a database driver that echoes a statement
 * cannot leak a password.
 */
/** JSON fields of a credentials secret that identify rather than authenticate. */
const NON_SECRET_FIELDS = new Set([
  'engine',
  'host',
  'port',
  'username',
  'dbname',
  'masterarn',
  'dbClusterIdentifier',
  'dbInstanceIdentifier',
]);

export type Fields = Record<string, string | number | boolean | undefined>;
export type Sink = (line: string) => void;

export class Logger {
  constructor(
    private readonly base: Fields = {},
    private readonly sink: Sink = (line) => process.stdout.write(`${line}\n`),
    /** Shared with children, so a value registered anywhere is scrubbed everywhere. */
    private readonly secrets = new Set<string>(),
  ) {}

  /** Registers a value that must never appear in output (and its JSON-escaped form). */
  redact(...values: Array<string | undefined>): void {
    for (const v of values) {
      // Shorter strings would blank out ordinary words; a secret that short protects nothing anyway.
      if (!v || v.length < 4) continue;
      this.secrets.add(v);
      this.secrets.add(JSON.stringify(v).slice(1, -1));
    }
  }

  /**
   * Registers a secret value: the whole text and, for a JSON object, every string in it except the
   * fields that name rather than protect (host, user name, ...), which logs need to be useful.
   */
  redactValue(text: string | undefined): void {
    if (text === undefined) return;
    this.redact(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const walk = (v: unknown, key?: string): void => {
      if (typeof v === 'string' && !(key && NON_SECRET_FIELDS.has(key))) this.redact(v);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    walk(parsed);
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[REDACTED]');
    return out;
  }

  child(fields: Fields): Logger {
    return new Logger({ ...this.base, ...fields }, this.sink, this.secrets);
  }

  info(msg: string, fields: Fields = {}): void {
    this.emit('INFO', msg, fields);
  }

  warn(msg: string, fields: Fields = {}): void {
    this.emit('WARN', msg, fields);
  }

  error(msg: string, fields: Fields = {}): void {
    this.emit('ERROR', msg, fields);
  }

  private emit(level: string, msg: string, fields: Fields): void {
    const record = { timestamp: new Date().toISOString(), level, msg, ...this.base, ...fields };
    this.sink(this.scrub(JSON.stringify(record)));
  }
}
