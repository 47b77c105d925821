import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How a proxied dependency misbehaves. */
export type Fault = "none" | "down" | "slow";

export interface FaultProxy {
  url: string;
  setFault(fault: Fault): void;
  close(): Promise<void>;
}

const SLOW_MS = 5_000;

/**
 * An HTTP pass-through in front of a local service, so tests inside workerd can take that
 * service down (connections reset) or make it slow without touching the service itself.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let fault: Fault = "none";
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (fault === "down") {
      req.socket.destroy();
      return;
    }
    const forward = () => {
      const proxied = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      proxied.on("error", () => res.destroy());
      req.pipe(proxied);
    };
    if (fault === "slow") setTimeout(forward, SLOW_MS).unref();
    else forward();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname === "/" ? "" : upstream.pathname}`,
    setFault(next) {
      fault = next;
      // Kept-alive connections would otherwise bypass a fresh fault.
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
