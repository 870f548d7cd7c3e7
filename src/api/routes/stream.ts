import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Score } from '../../contracts/index.js';
import { seriesId } from '../../contracts/index.js';
import { ApiError } from '../errors.js';
import { parseInput } from '../issues.js';
import { errorResponse, jsonSchema } from '../schemas.js';
import type { Views } from '../views.js';

/** Something else that pushes events into every stream (the heal engine's action records). */
export type StreamSource = (emit: (event: string, data: unknown) => void) => () => void;

export interface StreamOptions {
  views: Views;
  sources?: StreamSource[];
  /** score updates of a series are coalesced and sent at most this often (default 1000 ms) */
  flushMs?: number;
  /** a comment line keeps idle connections (and proxies) open (default 15 s) */
  heartbeatMs?: number;
  /** concurrent streams; more → 503 (default 100) */
  maxClients?: number;
  /** the heal engine runs in this process (said in `hello`, so the page knows to show actions) */
  heal?: boolean;
}

export const MAX_STREAM_SERIES = 20;
/** score points of one series kept per flush (the newest) */
const MAX_POINTS_PER_FLUSH = 500;
/** a client this far behind gets no score updates until it catches up ... */
const SOFT_BUFFER = 1 << 20;
/** ... and this far behind is disconnected (it reconnects and reloads) */
const HARD_BUFFER = 8 << 20;

export const StreamQuery = z
  .object({
    series: z
      .string()
      .max(4096)
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.string().regex(/^[^|]+\|.+$/, 'expected source|metric'))
          .max(MAX_STREAM_SERIES, `at most ${MAX_STREAM_SERIES} series`),
      )
      .describe(`series ids (source|metric, comma-separated, at most ${MAX_STREAM_SERIES}) whose scores to push`)
      .optional(),
    source: z.string().min(1).max(256).describe('only anomalies of this source').optional(),
  })
  .strict();

/**
 * `GET /v1/stream`: Server-Sent Events from the views. Events: `hello` (view sizes, once),
 * `anomaly` (an AnomalyEvent as it is kept), `scores` (`{ id, source, metric, points }`: new scored
 * points of the requested series, coalesced per `flushMs`), and whatever extra sources push (e.g.
 * `action`). A slow client misses score updates rather than slowing anyone down.
 */
export const streamRoute: FastifyPluginAsync<StreamOptions> = async (app, opts) => {
  const { views } = opts;
  const flushMs = opts.flushMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxClients = opts.maxClients ?? 100;
  const clients = new Set<() => void>();

  app.addHook('preClose', async () => {
    for (const end of [...clients]) end();
  });

  app.get(
    '/v1/stream',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary: 'Live anomalies and score updates (Server-Sent Events)',
        description:
          'A `text/event-stream`. Events: `hello` once (view sizes; `heal`: whether /v1/actions exists), `anomaly` (AnomalyEvent), `scores` (`{ id, source, metric, ' +
          'points: Score[] }` for the series named in `series`, coalesced about once a second), `action` (heal ' +
          'engine records, when the engine runs in this process). Comment lines keep the connection open.',
        querystring: jsonSchema(StreamQuery, 'input'),
        response: {
          200: {
            description: 'An event stream (never ends on its own)',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          400: errorResponse('Invalid query parameter'),
          503: errorResponse('Too many open streams; retry later'),
        },
      },
    },
    async (req, reply) => {
      const q = parseInput(StreamQuery, req.query ?? {}, { code: 'invalid_query', noun: 'parameter' });
      if (clients.size >= maxClients) {
        throw new ApiError(503, 'too_many_streams', `at most ${maxClients} streams may be open at once`, true);
      }
      const wanted = new Set(q.series ?? []);
      const res: ServerResponse = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });

      let open = true;
      let dropped = 0;
      const pending = new Map<string, { source: string; metric: string; points: Score[] }>();

      const write = (chunk: string) => {
        if (!open) return;
        if (res.writableLength > HARD_BUFFER) {
          req.log.warn({ buffered: res.writableLength }, 'closing a stream whose client does not keep up');
          end();
          return;
        }
        res.write(chunk);
      };
      const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

      const unsubscribe = views.subscribe((u) => {
        if (u.kind === 'anomaly') {
          if (q.source === undefined || u.event.source === q.source) send('anomaly', u.event);
          return;
        }
        if (wanted.size === 0) return;
        const id = seriesId(u.batch.source, u.batch.metric);
        if (!wanted.has(id)) return;
        let p = pending.get(id);
        if (!p) {
          p = { source: u.batch.source, metric: u.batch.metric, points: [] };
          pending.set(id, p);
        }
        for (const point of u.batch.points) p.points.push(point);
        if (p.points.length > MAX_POINTS_PER_FLUSH) p.points.splice(0, p.points.length - MAX_POINTS_PER_FLUSH);
      });
      const unsubscribers = (opts.sources ?? []).map((source) => source(send));

      const flush = setInterval(() => {
        if (pending.size === 0) return;
        if (res.writableLength > SOFT_BUFFER) {
          dropped += pending.size;
          pending.clear();
          return;
        }
        for (const [id, p] of pending) send('scores', { id, ...p });
        pending.clear();
      }, flushMs);
      const heartbeat = setInterval(
        () => write(`: ping${dropped ? ` (dropped ${dropped} updates)` : ''}\n\n`),
        heartbeatMs,
      );

      function end(): void {
        if (!open) return;
        open = false;
        clearInterval(flush);
        clearInterval(heartbeat);
        unsubscribe();
        for (const u of unsubscribers) u();
        clients.delete(end);
        res.end();
      }
      clients.add(end);
      // the response closes when the client goes away (the request's own 'close' fires once it is read)
      res.on('close', end);
      res.on('error', end);

      write('retry: 3000\n\n');
      const stats = views.stats();
      send('hello', {
        series: stats.series,
        anomalies: stats.anomalies,
        flushMs,
        streaming: [...wanted],
        heal: opts.heal ?? false,
      });
    },
  );
};
