import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { plainErrorBody } from "../../scripts/local-db/errors";

/**
 * How a proxied dependency misbehaves. `small`: requests over {@link SMALL_REQUEST_LIMIT} get
 * the 413 Neon answers past its 10 MiB limit, so a test can hit the limit with a small page.
 */
export type Fault = "none" | "down" | "slow" | "small";
export const FAULTS: readonly Fault[] = ["none", "down", "slow", "small"];

export const SMALL_REQUEST_LIMIT = 64 * 1024;

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
    const forward = (buffered?: Buffer) => {
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
      if (buffered) proxied.end(buffered);
      else req.pipe(proxied);
    };
    if (fault === "small") {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        if (body.length > SMALL_REQUEST_LIMIT) {
          const message = `request is too large (max is ${SMALL_REQUEST_LIMIT} bytes)`;
          res
            .writeHead(413, { "content-type": "application/json" })
            .end(JSON.stringify(plainErrorBody(message)));
        } else forward(body);
      });
      return;
    }
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
