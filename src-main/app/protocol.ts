/**
 * The `normscope://app/...` protocol that serves the built renderer inside
 * Electron (instead of file://, which would give the page the whole disk), and
 * the sender check for IPC. Pure functions: main.ts wires them to Electron.
 */
import { contentSecurityPolicy, resolveStaticPath } from '../host/static-files';

export const APP_SCHEME = 'normscope';
export const APP_HOST = 'app';
/** The page the window opens. */
export const APP_START_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The CSP for pages served over the protocol: same origin only, no sockets (the API goes over IPC). */
export const APP_CSP = contentSecurityPolicy();

/** Whether `url` is a page of ours (scheme and host), the only origin allowed to call the API. */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Sender check for `normscope:call`: the frame must exist, be the window's
 * main frame and show one of our pages. A frame navigated elsewhere, or an
 * embedded frame, is refused.
 */
export function isTrustedSender(frame: { url: string; isMainFrame: boolean } | null): boolean {
  return frame !== null && frame.isMainFrame && isAppUrl(frame.url);
}

/**
 * File for a protocol request URL (`normscope://app/assets/x.js`), or null when
 * the URL is not ours or escapes the renderer folder (same checks as the web host).
 */
export function resolveAppRequest(rendererDir: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  // the raw path: URL parsing would fold `..` segments before the escape check sees them
  const afterHost = requestUrl.slice(`${APP_SCHEME}://${APP_HOST}`.length);
  const rawPath = afterHost.split(/[?#]/)[0] || '/';
  return resolveStaticPath(rendererDir, rawPath);
}

/**
 * The raw path (still percent-encoded, query removed) of a request to our
 * origin, for the binary routes shared with the web host (src-main/review/resources.ts),
 * or null when the URL is not ours.
 */
export function appRequestPath(requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  return requestUrl.slice(`${APP_SCHEME}://${APP_HOST}`.length).split(/[?#]/)[0] || '/';
}
