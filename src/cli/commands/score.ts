import type { PipelineConfig } from '../../config/pipeline.js';
import { readLines } from '../../ingest/lines.js';
import { fileFormat, readPointFile } from '../../ingest/read.js';
import { groupByTs, scoreRows } from '../offline-score.js';
import { createLineWriter } from '../output.js';
import { loadPipelineOption } from '../pipeline-option.js';

export interface ScoreOptions {
  out?: string;
  pipeline?: string;
  source?: string;
  metric?: string;
}

export interface ScoreSummary {
  rows: number;
  anomalies: number;
}

/** Whether a JSONL file holds points of more than one source (a light pre-scan; stops at the second). */
async function jsonlHasSeveralSources(file: string): Promise<boolean> {
  let first: unknown;
  for await (const { text } of readLines(file)) {
    if (text.trim() === '') continue;
    let source: unknown;
    try {
      source = (JSON.parse(text) as { source?: unknown }).source;
    } catch {
      return false; // the scoring pass reports the bad line
    }
    if (first === undefined) first = source;
    else if (source !== first) return true;
  }
  return false;
}

/** `faultline score`: offline scoring of a CSV/JSONL file, one JSON line per input row. */
export async function runScore(
  file: string,
  opts: ScoreOptions,
  pipeline: PipelineConfig = loadPipelineOption(opts.pipeline).pipeline,
): Promise<ScoreSummary> {
  const format = fileFormat(file);
  const rows = readPointFile(file, { source: opts.source, metric: opts.metric });
  const keyBy = format === 'jsonl' && (await jsonlHasSeveralSources(file)) ? 'series' : 'metric';
  const writer = createLineWriter(opts.out);
  const summary: ScoreSummary = { rows: 0, anomalies: 0 };
  try {
    for await (const line of scoreRows(format === 'jsonl' ? groupByTs(rows) : rows, pipeline, { keyBy })) {
      summary.rows++;
      if (line.anomaly) summary.anomalies++;
      await writer.write(JSON.stringify(line));
    }
  } finally {
    await writer.close();
  }
  return summary;
}
