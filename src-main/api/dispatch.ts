/**
 * The boundary every request crosses: method name checked against the contract,
 * params validated with its zod schema, errors turned into values. Transports
 * call `dispatch`; they never call handlers directly.
 */
import type { z } from 'zod';
import { isMethod, methods, type Method, type ParsedParams, type Result } from './contract';
import { NormscopeError, toErrorValue } from './errors';
import type { Outcome } from './wire';

/** Who is asking: recorded in the audit trail by the handlers that need it. */
export interface CallContext {
  transport: 'electron' | 'web' | 'cli' | 'test';
}

export type Handler<M extends Method> = (
  params: ParsedParams<M>,
  ctx: CallContext,
) => Promise<Result<M>> | Result<M>;

export type Handlers = { [M in Method]: Handler<M> };

export type Dispatch = (method: unknown, params: unknown, ctx: CallContext) => Promise<Outcome>;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(params)'}: ${issue.message}`)
    .join('; ');
}

export function createDispatcher(handlers: Handlers): Dispatch {
  return async (method, params, ctx) => {
    try {
      if (!isMethod(method)) {
        throw new NormscopeError('InvalidRequest', `Unknown method ${JSON.stringify(method)}`);
      }
      const parsed = methods[method].params.safeParse(params ?? {});
      if (!parsed.success) {
        throw new NormscopeError(
          'InvalidRequest',
          `Invalid parameters for ${method}: ${describeIssues(parsed.error)}`,
          { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
        );
      }
      const handler = handlers[method] as Handler<Method>;
      const result = await handler(parsed.data as ParsedParams<Method>, ctx);
      return { ok: true, result };
    } catch (err) {
      return { ok: false, error: toErrorValue(err) };
    }
  };
}
