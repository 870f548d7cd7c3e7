import { z } from 'zod';

/** A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name like "instance"');

/**
 * How Prometheus samples become MetricPoints; shared by the remote-write receiver and the scraper
 * (src/prometheus/mapping.ts documents the rules).
 */
export const PromMappingFields = {
  /**
   * the first of these labels present on a series is its `source`; all of them stay out of the
   * metric name and travel in the point's `labels` instead
   */
  sourceLabels: z.array(LabelName).min(1).default(['instance', 'job']),
  /** `source` of a series that has none of `sourceLabels` */
  defaultSource: z.string().min(1).max(256).default('prometheus'),
  /**
   * counters (names ending in `_total`) become per-second rates named `rate(<series>)`; false keeps
   * the raw cumulative value. Default true: a raw counter only ever climbs, so range/record
   * detectors would see every sample as a new record.
   */
  rate: z.boolean().default(true),
  /** counters whose last sample is remembered for `rate` (oldest forgotten first) */
  rateSeries: z.number().int().positive().default(100_000),
};
export const PromMapping = z.object(PromMappingFields).strict();
export type PromMapping = z.output<typeof PromMapping>;

/** The pipeline's `remoteWrite:` section: `POST /api/v1/write` (Prometheus remote-write 1.0). */
export const RemoteWriteConfig = z
  .object({
    enabled: z.boolean().default(true),
    ...PromMappingFields,
    /** largest accepted request body, snappy-compressed (bigger → 413) */
    bodyLimitBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /** largest accepted body once decompressed, read from the snappy header before decompressing (bigger → 413) */
    maxDecodedBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
  })
  .strict();
export type RemoteWriteConfig = z.output<typeof RemoteWriteConfig>;
