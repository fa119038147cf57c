/**
 * HTTP Basic authentication (RFC 7617) for `wsx serve --auth user:password`,
 * and the header `wsx connect --auth` sends.
 *
 * The check runs in constant time (SECURITY-CASES row 17): the credentials
 * presented and the expected ones are each hashed to 32 bytes, and the
 * digests are compared with crypto.timingSafeEqual. So neither the position
 * of the first wrong byte nor the length of the password shows in the time a
 * refusal takes, and timingSafeEqual always gets inputs of equal length.
 */
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import { UsageError } from './cli-errors.js';

/** The realm named in the challenge; browsers show it in their login prompt. */
const REALM = 'wsx';

/** `user:password` as given on the command line, checked for what Basic cannot carry. */
export function parseUserPassword(option: string, value: string): string {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new UsageError(`${option} needs 'user:password' with a non-empty user, got '${value}'`);
  // RFC 7617 2: the user-id cannot contain a colon, and neither part control characters.
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`${option}: user and password cannot contain control characters`);
  return value;
}

/** The Authorization header value that presents `userPassword` (UTF-8, RFC 7617 2.1). */
export function basicAuthorization(userPassword: string): string {
  return `Basic ${Buffer.from(userPassword, 'utf8').toString('base64')}`;
}

function digest(bytes: Buffer): Buffer {
  return crypto.createHash('sha256').update(bytes).digest();
}

export class BasicAuth {
  private readonly expected: Buffer;

  constructor(userPassword: string) {
    this.expected = digest(Buffer.from(userPassword, 'utf8'));
  }

  /** Whether an Authorization header presents the expected user and password. */
  accepts(header: string | string[] | undefined): boolean {
    const presented = typeof header === 'string' ? presentedCredentials(header) : null;
    // Compared even when nothing usable was presented, so every refusal does the same work.
    const same = crypto.timingSafeEqual(digest(presented ?? Buffer.alloc(0)), this.expected);
    return presented !== null && same;
  }

  /** The WWW-Authenticate header of a 401 that asks for these credentials. */
  get challenge(): string {
    return `Basic realm="${REALM}", charset="UTF-8"`;
  }
}

/** The decoded `user:password` bytes of a Basic Authorization header, or null. */
function presentedCredentials(header: string): Buffer | null {
  const match = /^[ \t]*basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (match === null) return null;
  return Buffer.from(match[1]!, 'base64');
}
