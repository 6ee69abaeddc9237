import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, contentTypeFor, resolveStaticPath } from '../../../src-main/host/static-files';

const root = resolve('/srv/renderer');

describe('resolveStaticPath', () => {
  it('maps / to index.html and asset paths inside the folder', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveStaticPath(root, '/assets/a%20b.png')).toBe(join(root, 'assets', 'a b.png'));
  });

  it.each([
    '/../package.json',
    '/assets/../../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E%2Fpackage.json',
    '/..%2f..%2fetc/passwd',
    '/..%5cpackage.json',
    '/index.html%00.png',
    '/C:/Windows/win.ini',
    '//etc/passwd/..',
    '/%E0%A4%A',
    'relative/path',
  ])('refuses %s', (path) => {
    expect(resolveStaticPath(root, path)).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it('names the types the renderer build emits and falls back to opaque bytes', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('/x/a.bin')).toBe('application/octet-stream');
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only same-origin scripts and the listed sockets', () => {
    const csp = contentSecurityPolicy(['ws://127.0.0.1:9000']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:9000;");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(contentSecurityPolicy()).toContain("connect-src 'self';");
  });
});
