// The checks every request to `par web` passes (DESIGN §15), as pure
// functions over what a request says: who it is (a token or a session),
// where it is addressed (Host, against DNS rebinding) and where it comes
// from (Origin, against cross-site requests).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The name of the session cookie the page gets from `POST /api/session`. */
export const SESSION_COOKIE = 'par_session';

/** 32 random bytes, base64url: the token `par web` prints, or a session's id. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether `given` is `secret`, in time that does not depend on where they differ (both hashed to one length first). */
export function secretMatches(given: string | undefined, secret: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(secret));
}

/** The bearer token of an `Authorization` header, if it has one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** One cookie of a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value of a session: never readable by scripts, never sent by another site. */
export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Host and port of a `Host` header (`127.0.0.1:7420`, `[::1]:7420`, `localhost:7420`), or null when it is not one. */
export function parseHost(header: string | undefined): { host: string; port: number | null } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header ?? '');
  if (!match) return null;
  const host = (match[1] as string).replace(/^\[|\]$/g, '').toLowerCase();
  return { host, port: match[2] === undefined ? null : Number(match[2]) };
}

/**
 * Whether a request's `Host` header names this server: `localhost` or an
 * IP address, with the port it listens on. A DNS-rebinding page reaches
 * the server under its own host name, which is neither.
 */
export function hostAllowed(header: string | undefined, port: number): boolean {
  const parsed = parseHost(header);
  if (!parsed || (parsed.port ?? 80) !== port) return false;
  return parsed.host === 'localhost' || isIP(parsed.host) !== 0;
}

/** Whether an `Origin` header is this server as the request addressed it (same scheme, host and port). */
export function sameOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  return origin !== undefined && hostHeader !== undefined && origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}

/** Whether an address to listen on is this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
