import type { SocketFactory } from './ws-client';

/** Opens a socket with the browser's WebSocket for the WsClient. */
export const browserSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  let closed = false;
  const closeOnce = (code: number) => {
    if (closed) return;
    closed = true;
    handlers.close(code);
  };
  socket.onopen = () => handlers.open();
  socket.onmessage = (event: MessageEvent) => {
    if (typeof event.data === 'string') handlers.message(event.data);
  };
  socket.onclose = (event: CloseEvent) => closeOnce(event.code);
  // an error is always followed by close; 1006 covers a socket that errors without one
  socket.onerror = () => closeOnce(1006);
  return {
    send: (text) => socket.send(text),
    close: () => socket.close(),
  };
};
