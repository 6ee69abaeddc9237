/** IPC channel names shared by main.ts and preload.ts. */
export const CALL_CHANNEL = 'normscope:call';
export const EVENT_CHANNEL = 'normscope:event';
