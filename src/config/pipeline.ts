import { z } from 'zod';
import { ApiKeyConfig } from '../api/keys.js';
import { CorsConfig, RateLimitConfig } from '../api/security.js';
import { TOPICS } from '../contracts/topics.js';
import { CoordinatorConfig } from '../coord/config.js';
import { DetectorConfig, HoldConfig } from '../detect/config.js';
import { HealConfig } from '../heal/config.js';
import { HealerConfig } from '../heal/service/config.js';
import { ModelsConfig } from '../predict/config.js';
import { RemoteWriteConfig } from '../prometheus/config.js';
import { ScrapeConfig } from '../scrape/config.js';
import { KafkaSaslConfig, KafkaSslConfig } from '../transport/kafka-security.js';
import { Duration } from './duration.js';

/** An alarm rule turns scores into anomaly events (Alertmanager-style: detectors score, rules decide). */
export const AlarmRule = z
  .object({
    name: z.string().min(1),
    /** a point "hits" when the combined score is >= threshold */
    threshold: z.number().min(0).max(1),
    /** fire after this many hits within `window` */
    minHits: z.number().int().positive().default(1),
    window: Duration.prefault('5m'),
    /** after firing, stay quiet for this long (no new firing event for the series) */
    suppress: Duration.prefault('30m'),
    /** resolve after this long with no hit */
    recover: Duration.prefault('10m'),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  })
  .strict();
export type AlarmRule = z.output<typeof AlarmRule>;

export const PipelineConfig = z
  .object({
    name: z.string().min(1),
    kafka: z
      .object({
        clientId: z.string().default('faultline'),
        /** empty → KAFKA_BROKERS, else the local broker started by infra/ */
        brokers: z.array(z.string()).default([]),
        /** TLS to the brokers: `true` (system CAs) or `{ ca, cert, key, rejectUnauthorized }` (PEM file paths) */
        ssl: KafkaSslConfig.optional(),
        /** SASL: `{ mechanism: plain|scram-sha-256|scram-sha-512, username, passwordEnv }` (the password from that env variable) */
        sasl: KafkaSaslConfig.optional(),
      })
      .strict()
      .prefault({}),
    topics: z
      .object({
        partitions: z.number().int().positive().default(6),
        metrics: z.string().default(TOPICS.metrics),
        scores: z.string().default(TOPICS.scores),
        anomalies: z.string().default(TOPICS.anomalies),
        dlq: z.string().default(TOPICS.dlq),
        /** heal service topics (unset: faultline.predictions, faultline.actions, faultline.outcomes) */
        predictions: z.string().optional(),
        actions: z.string().optional(),
        outcomes: z.string().optional(),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        groupId: z.string().default('faultline-detect'),
        /** write per-series score batches to the scores topic */
        emitScores: z.boolean().default(true),
        /** drop the state of series not seen for this long (data time) */
        seriesTtl: Duration.prefault('7d'),
        maxSeries: z.number().int().positive().default(1_000_000),
      })
      .strict()
      .prefault({}),
    detectors: z.array(DetectorConfig).min(1),
    ensemble: z
      .object({
        /** how detector scores combine into one score on the common scale */
        combine: z.enum(['max', 'mean', 'second']).default('max'),
        /** after a combined score >= level, hold repeats within `points` points at 0 (0 = off) */
        hold: HoldConfig.prefault({}),
      })
      .strict()
      .prefault({}),
    alarms: z.array(AlarmRule).min(1),
    api: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        bodyLimitBytes: z.number().int().positive().default(1_048_576),
        anomaliesKept: z.number().int().positive().default(10_000),
        seriesKept: z.number().int().positive().default(10_000),
        pointsPerSeries: z.number().int().positive().default(500),
        /** hashed API keys with scopes (plus FAULTLINE_API_KEYS); none = open API, loopback only */
        keys: z.array(ApiKeyConfig).default([]),
        rateLimit: RateLimitConfig.prefault({}),
        cors: CorsConfig.prefault({}),
      })
      .strict()
      .prefault({}),
    /** self-healing: classification rules, dependency graph, strategies, safety gates, actuators (src/heal/config.ts) */
    heal: HealConfig.optional(),
    /** trained models served by the predict worker (src/predict/config.ts; unset: the defaults) */
    models: ModelsConfig.prefault({}),
    /** Prometheus remote-write receiver, POST /api/v1/write (src/prometheus/config.ts) */
    remoteWrite: RemoteWriteConfig.prefault({}),
    /** pull scraper for Prometheus exporters; absent = off (src/scrape/config.ts) */
    scrape: ScrapeConfig.optional(),
    /** who may act: the embedded coordinator (one heal engine, the default) or etcd (2-3 engines, leader election) */
    coordinator: CoordinatorConfig.optional(),
    /** the heal engine as a Kafka process (src/heal/service/config.ts; unset: the defaults) */
    healer: HealerConfig.optional(),
  })
  .strict();
export type PipelineConfig = z.output<typeof PipelineConfig>;
