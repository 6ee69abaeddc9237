// electron-builder afterPack hook: flips Electron's fuses in the packaged
// binary, so the shipped app cannot be turned into a general Node runtime
// (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect) and only runs the signed,
// integrity-checked app.asar.
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads hooks as CommonJS */
const { join } = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

function executablePath(context) {
  const name = context.packager.appInfo.productFilename;
  switch (context.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(context.appOutDir, `${name}.app`);
    case 'win32':
      return join(context.appOutDir, `${name}.exe`);
    default:
      return join(context.appOutDir, context.packager.executableName);
  }
}

module.exports = async function setFuses(context) {
  await flipFuses(executablePath(context), {
    version: FuseVersion.V1,
    // arm64 macOS refuses a binary whose ad-hoc signature no longer matches
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3, // Arch.arm64
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
  });
};
