/** Facts shared by several rules (each cites the page it comes from). */

/** IAM role and policy names: `[\w+=,.@-]`, roles 1..64 (IAM and AWS STS quotas; IAM API CreateRole). */
export const IAM_NAME = /^[\w+=,.@-]+$/;
export const IAM_ROLE_NAME_MAX = 64;
/** IAM paths: `/` or `/` + printable ASCII + `/`, at most 512 (IAM API Reference: CreateRole, Path). */
export const IAM_PATH = /^\/(?:[\x21-\x7E]+\/)?$/;
export const IAM_PATH_MAX = 512;
/** Lambda function names: letters, digits, hyphens and underscores, 1..64 (Lambda API CreateFunction). */
export const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** Characters AWS accepts in tag keys and values (Tagging AWS resources: tag naming limits). */
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** CloudWatch Logs retention values (PutRetentionPolicy, retentionInDays). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The characters in `s` that `allowed` (one character) rejects, quoted. */
export function badCharacters(s: string, allowed: RegExp): string {
  return [...new Set([...s].filter((c) => !allowed.test(c)))].map((c) => JSON.stringify(c)).join(', ');
}

/** Parses an IPv4 CIDR; undefined when it is not one. */
export function parseCidr(cidr: string): { address: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0'))) || prefix > 32) return undefined;
  return { address: ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, prefix };
}

export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The network address of a CIDR (host bits cleared). */
export function networkOf(c: { address: number; prefix: number }): number {
  return c.prefix === 0 ? 0 : (c.address & (0xffffffff << (32 - c.prefix))) >>> 0;
}
