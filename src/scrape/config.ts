import { z } from 'zod';
import { Duration } from '../config/duration.js';
import { LabelName, PromMappingFields } from '../prometheus/config.js';

const DEFAULT_TIMEOUT_MS = 10_000;

const HttpUrl = z
  .string()
  .regex(/^https?:\/\/[^/\s]+(\/\S*)?$/, 'expected an http(s) URL like "http://127.0.0.1:9100/metrics"');

const Labels = z.record(LabelName, z.string());

const TargetObject = z
  .object({
    url: HttpUrl,
    /** the `job` label of this target's samples (default: the section's `job`) */
    job: z.string().min(1).optional(),
    /** extra labels on this target's samples (win over the section's `labels`) */
    labels: Labels.default({}),
    /** overrides the section's interval / timeout for this target */
    interval: Duration.optional(),
    timeout: Duration.optional(),
  })
  .strict();

/** A target: its URL, or `{ url, job?, labels?, interval?, timeout? }`. */
export const ScrapeTarget = z.union([HttpUrl.transform((url) => TargetObject.parse({ url })), TargetObject]);
export type ScrapeTarget = z.output<typeof ScrapeTarget>;

/**
 * The pipeline's optional `scrape:` section: faultline pulls the Prometheus text exposition format
 * from these exporters and writes the samples to the metrics topic (src/scrape/scraper.ts).
 */
export const ScrapeConfig = z
  .object({
    targets: z.array(ScrapeTarget).min(1, 'expected at least one target'),
    interval: Duration.prefault('15s'),
    /** a scrape slower than this is abandoned and counted as a failure (default: 10 s, or the interval if shorter) */
    timeout: Duration.optional(),
    /** the `job` label of targets that name none */
    job: z.string().min(1).default('scrape'),
    /** extra labels on every sample */
    labels: Labels.default({}),
    /** a response body larger than this fails the scrape */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
    ...PromMappingFields,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.interval <= 0) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'must be > 0' });
    if (c.timeout !== undefined && c.timeout > c.interval) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: `the timeout (${c.timeout} ms) must not exceed the interval (${c.interval} ms)`,
      });
    }
    c.targets.forEach((t, i) => {
      const interval = t.interval ?? c.interval;
      if (interval <= 0) ctx.addIssue({ code: 'custom', path: ['targets', i, 'interval'], message: 'must be > 0' });
      if (t.timeout !== undefined && t.timeout > interval)
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'timeout'],
          message: `the timeout (${t.timeout} ms) must not exceed the interval (${interval} ms)`,
        });
    });
  })
  .transform((c) => ({ ...c, timeout: c.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, c.interval) }));
export type ScrapeConfig = z.output<typeof ScrapeConfig>;
export type ScrapeConfigInput = z.input<typeof ScrapeConfig>;
