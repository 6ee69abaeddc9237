/**
 * One WebSocket text frame in, one response out (src-main/api/wire.ts). Any
 * frame that is not a well-formed request becomes an InvalidRequest error value
 * addressed to `id: null` (or to its id when that much could be read): a bad
 * client never throws inside the host.
 */
import type { CallContext, Dispatch } from '../api/dispatch';
import { RequestMessage, type Outcome } from '../api/wire';

/** Largest request frame accepted, in bytes. Requests are small; bulk data moves through jobs. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export type ReplyMessage = { id: string | number | null } & Outcome;

function invalid(id: string | number | null, message: string): ReplyMessage {
  return { id, ok: false, error: { name: 'InvalidRequest', message } };
}

/** The id of a parsed but otherwise malformed message, when it is a valid id. */
function salvageId(value: unknown): string | number | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const parsed = RequestMessage.shape.id.safeParse(value.id);
  return parsed.success ? parsed.data : null;
}

/**
 * Answers one frame: `data` as received, `isBinary` from the socket. Resolves
 * to the reply to send; never rejects (dispatch turns handler errors into values).
 */
export async function answerFrame(
  dispatch: Dispatch,
  data: Buffer,
  isBinary: boolean,
  ctx: CallContext,
): Promise<ReplyMessage> {
  if (isBinary) return invalid(null, 'Binary frames are not accepted; send JSON text');
  if (data.byteLength > MAX_REQUEST_BYTES) {
    return invalid(null, `Request of ${data.byteLength} bytes exceeds the limit of ${MAX_REQUEST_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    return invalid(null, `Request is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = RequestMessage.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`)
      .join('; ');
    return invalid(salvageId(value), `Request must be {id, method, params}: ${problems}`);
  }
  const { id, method, params } = parsed.data;
  const outcome = await dispatch(method, params, ctx);
  return { id, ...outcome };
}
