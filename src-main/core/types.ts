/** Which program the core runs in: the Electron shell, the web host (`serve`) or a CLI command. */
export type CoreHost = 'electron' | 'web' | 'cli';
