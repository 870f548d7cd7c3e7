import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { Action } from '../../contracts/action.js';
import { FencingGuard } from '../../coord/fencing-guard.js';
import type { ActuatorResult } from '../../heal/actuators/actuator.js';
import { FENCING_HEADER, IDEMPOTENCY_HEADER } from '../../heal/actuators/webhook.js';
import type { Cluster } from './cluster.js';

export interface ClusterServer {
  /** where to POST actions: http://127.0.0.1:<port>/v1/actions */
  url: string;
  port: number;
  /** deliveries of an idempotency key already applied */
  duplicateDeliveries(): number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const Body = z.object({ action: Action });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new HttpError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The simulated cluster as a remote system, for the heal engine's `webhook` actuator: `POST /v1/actions`
 * with `{ action }`, an `Idempotency-Key` header (applied once; a repeat answers the first result with
 * `duplicate: true`) and `X-Faultline-Fencing-Token` (older than the newest seen → 409). Answers
 * `{ success?, details }`. `GET /v1/nodes` shows the nodes. Listens on 127.0.0.1 only.
 */
export async function startClusterServer(cluster: Cluster, opts: { port?: number } = {}): Promise<ClusterServer> {
  const guard = new FencingGuard('cluster endpoint');
  const results = new Map<string, ActuatorResult>();
  let duplicates = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/nodes') {
      send(res, 200, { dataTime: cluster.now() ?? null, nodes: cluster.nodeNames().map((n) => cluster.view(n)) });
      return;
    }
    if (path !== '/v1/actions') throw new HttpError(404, `no route ${req.method} ${path}`);
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (typeof key !== 'string' || key.length === 0) throw new HttpError(400, `missing ${IDEMPOTENCY_HEADER} header`);
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'body: expected JSON');
    }
    const parsed = Body.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new HttpError(400, `body.${i?.path.map(String).join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
    }
    const action = parsed.data.action;
    if (action.id !== key) throw new HttpError(400, `${IDEMPOTENCY_HEADER} must be the action id`);
    const token = Number(req.headers[FENCING_HEADER]);
    if (token !== action.fencingToken) {
      throw new HttpError(400, `${FENCING_HEADER} must be the action's fencing token`);
    }
    if (!guard.accepts(token)) {
      throw new HttpError(409, `stale fencing token ${token} (newest seen ${guard.newest() ?? 'none'})`);
    }
    const seen = results.get(key);
    if (seen) {
      duplicates += 1;
      send(res, 200, { ...seen, duplicate: true });
      return;
    }
    const result = cluster.apply(action, cluster.now() ?? action.ts);
    results.set(key, result);
    send(res, 200, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      send(res, status, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/actions`,
    port,
    duplicateDeliveries: () => duplicates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
