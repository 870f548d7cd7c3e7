/**
 * A series is one metric of one source. Its id is the Kafka message key, so a series always
 * lands on one partition and exactly one detect worker owns its state.
 */
export function seriesId(source: string, metric: string): string {
  return `${source}|${metric}`;
}
