/**
 * Who may talk to the web host: the holder of the per-run token, from a page
 * whose Origin and Host are the loopback address the host listens on. Pure
 * functions over header values, so they are tested without a socket.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh per-run secret: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokensMatch(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Cookie carrying the token. The name includes the port because cookies are
 * not isolated by port: two hosts on 127.0.0.1 must not overwrite each other's.
 */
export function tokenCookieName(port: number): string {
  return `normscope_token_${port}`;
}

/** Set-Cookie value: HttpOnly keeps it from scripts, SameSite=Strict from other sites' requests. */
export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Value of one cookie in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Host header values under which the page may reach us (DNS-rebinding defence). */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Whether a request's Host and Origin headers name this loopback host. A
 * missing Origin is allowed (browsers omit it on same-origin GETs of
 * documents); a present one must be exactly ours. `Origin: null` (sandboxed
 * frames, file://) is refused.
 */
export function isLocalRequest(headers: { host?: string; origin?: string }, port: number): boolean {
  const hosts = allowedHosts(port);
  if (!headers.host || !hosts.includes(headers.host.toLowerCase())) return false;
  if (headers.origin === undefined) return true;
  return hosts.some((h) => headers.origin === `http://${h}`);
}
