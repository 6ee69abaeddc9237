import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_CSP, APP_START_URL, appRequestPath, isAppUrl, isTrustedSender, resolveAppRequest } from '../../../src-main/app/protocol';

const rendererDir = resolve('/opt/normscope/out/renderer');

describe('normscope:// protocol', () => {
  it('serves the start page and assets from the renderer folder', () => {
    expect(resolveAppRequest(rendererDir, APP_START_URL)).toBe(join(rendererDir, 'index.html'));
    expect(resolveAppRequest(rendererDir, 'normscope://app/')).toBe(join(rendererDir, 'index.html'));
    expect(resolveAppRequest(rendererDir, 'normscope://app/assets/a.js?v=1#x')).toBe(join(rendererDir, 'assets', 'a.js'));
  });

  it.each([
    'normscope://app/../package.json',
    'normscope://app/%2e%2e/%2e%2e/etc/passwd',
    'normscope://app/..%2f..%2fpackage.json',
    'normscope://other/index.html',
    'file:///etc/passwd',
    'https://app/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppRequest(rendererDir, url)).toBeNull();
  });

  it('sends a CSP that allows no remote scripts or connections', () => {
    expect(APP_CSP).toContain("default-src 'self'");
    expect(APP_CSP).toContain("connect-src 'self';");
    expect(APP_CSP).toContain("object-src 'none'");
  });
});

describe('IPC sender check', () => {
  it('accepts only the main frame showing our protocol', () => {
    expect(isTrustedSender({ url: 'normscope://app/index.html', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'normscope://app/index.html', isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'normscope://evil/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/x.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });

  it('treats unparseable or empty URLs as foreign', () => {
    expect(isAppUrl('')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isAppUrl(null)).toBe(false);
  });
});

describe('appRequestPath', () => {
  it('gives the raw path of our own requests for the binary routes, and nothing for other origins', () => {
    expect(appRequestPath('normscope://app/frames/1.2.3/0?x=1')).toBe('/frames/1.2.3/0');
    expect(appRequestPath('normscope://app/maps/%2e%2e/1.2/0')).toBe('/maps/%2e%2e/1.2/0');
    expect(appRequestPath('https://app/frames/1.2.3/0')).toBeNull();
    expect(appRequestPath('normscope://evil/frames/1.2.3/0')).toBeNull();
  });
});
