import type { ViewFeedStats } from '../api/feed.js';
import type { Views } from '../api/views.js';
import type { Metrics } from './registry.js';

/**
 * The API's read side: anomaly events seen on the anomaly topic by state, severity and rule (each
 * transition of an event id counted once), the sizes of the bounded views, and what the view feed
 * consumed. Returns the unsubscribe function.
 */
export function instrumentViews(
  metrics: Metrics,
  views: Views,
  feed: () => { stats(): ViewFeedStats } | undefined,
): () => void {
  const events = metrics.counter({
    name: 'faultline_anomaly_events_total',
    help: 'Anomaly events read from the anomaly topic, by state (firing, resolved), severity and alarm rule',
    labelNames: ['state', 'severity', 'rule'],
  });
  const unsubscribe = views.subscribe((u) => {
    if (u.kind === 'anomaly' && u.transition) {
      events.inc({ state: u.event.state, severity: u.event.severity, rule: u.event.rule });
    }
  });
  metrics.gauge({
    name: 'faultline_view_series',
    help: 'Series kept in the API views',
    collect: () => views.stats().series,
  });
  metrics.gauge({
    name: 'faultline_view_anomalies',
    help: 'Anomaly events kept in the API views',
    collect: () => views.stats().anomalies,
  });
  metrics.counterFrom({
    name: 'faultline_view_feed_messages_total',
    help: "Messages the API's view feed consumed, by kind (anomalies, scores, invalid)",
    labelNames: ['kind'],
    collect: () => {
      const s = feed()?.stats();
      if (!s) return undefined;
      return (['anomalies', 'scores', 'invalid'] as const).map((kind) => ({ labels: { kind }, value: s[kind] }));
    },
  });
  return unsubscribe;
}
