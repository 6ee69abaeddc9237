/**
 * Serving the built renderer safely, shared by the web host and the Electron
 * shell's `normscope://` protocol: URL path -> file inside the renderer folder
 * (or nothing), the content type to send, and the Content-Security-Policy.
 * Pure functions: no file is read here.
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Maps a URL path (`/assets/index-abc.js`, still percent-encoded, query already
 * removed) to an absolute file path inside `rootDir`, or null when the path is
 * malformed or tries to leave the folder: `..` segments (also encoded as
 * `%2e%2e` or `%2f`), backslashes, NUL bytes, drive letters or absolute paths.
 * `/` maps to `index.html`.
 */
export function resolveStaticPath(rootDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding
  }
  if (!decoded.startsWith('/')) return null;
  // backslashes are separators on Windows and never part of our asset names
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s === '..' || s === '.' || /^[a-zA-Z]:/.test(s))) return null;
  const relativePath = segments.filter((s) => s !== '').join('/');
  const root = resolve(rootDir);
  const target = resolve(root, relativePath === '' ? 'index.html' : relativePath);
  const rel = relative(root, target);
  if (rel === '' || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return target;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content-Type for a file name; unknown extensions are sent as opaque bytes (with nosniff). */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The renderer's Content-Security-Policy. `connectSources` lists what the page
 * may open besides its own origin (the web host adds its WebSocket URL).
 * `style-src 'unsafe-inline'` is needed by MUI/emotion, which inject <style>
 * elements at run time; scripts stay strictly same-origin.
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
