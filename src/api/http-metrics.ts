import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/registry.js';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests by method, route (the pattern, not the URL: bounded label values) and status, and their duration. */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  const requests = metrics.counter({
    name: 'faultline_http_requests_total',
    help: 'HTTP requests answered by the API, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'],
  });
  const duration = metrics.histogram({
    name: 'faultline_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (streams: until the stream ends)',
    labelNames: ['method', 'route'],
    buckets: DURATION_BUCKETS,
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: reply.statusCode });
    duration.observe(reply.elapsedTime / 1000, { method: req.method, route });
  });
}
