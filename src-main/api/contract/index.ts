/**
 * The one contract between the window and the rest (ARCHITECTURE.md). Every
 * transport (Electron IPC, the web host's WebSocket, the CLI) validates a
 * request against these schemas once, at its boundary. Each domain declares its
 * methods in its own module; this file only gathers them.
 */
import type { z } from 'zod';
import { appMethods } from './app';
import { auditMethods } from './audit';
import { reportMethods } from './reports';
import { engineMethods } from './engine';
import { importMethods } from './imports';
import { jobEvents, jobMethods } from './jobs';
import { modelMethods } from './models';
import { pacsMethods } from './pacs';
import { settingsMethods } from './settings';
import { demoMethods } from './demo';
import { trainingEvents, trainingMethods } from './training';
import { reviewMethods } from './review';
import { studiesEvents, studiesMethods } from './studies';

export const methods = {
  ...appMethods,
  ...jobMethods,
  ...importMethods,
  ...settingsMethods,
  ...demoMethods,
  ...trainingMethods,
  ...modelMethods,
  ...studiesMethods,
  ...reviewMethods,
  ...auditMethods,
  ...reportMethods,
  ...engineMethods,
  ...pacsMethods,
} as const;

export const events = {
  ...jobEvents,
  ...trainingEvents,
  ...studiesEvents,
} as const;

export type Methods = typeof methods;
export type Method = keyof Methods;
export type Params<M extends Method> = z.input<Methods[M]['params']>;
export type ParsedParams<M extends Method> = z.output<Methods[M]['params']>;
export type Result<M extends Method> = z.output<Methods[M]['result']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const METHOD_NAMES = Object.keys(methods) as Method[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

export * from './app';
export * from './jobs';
export * from './imports';
export * from './settings';
export * from './demo';
export * from './training';
export * from './models';
export * from './studies';
export * from './review';
export * from './audit';
export * from './reports';
export * from './engine';
export * from './pacs';
