import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPipeline } from '../config/load.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { projectRoot } from '../sim/project-root.js';

/**
 * The pipeline file to use: --pipeline, else $FAULTLINE_PIPELINE, else pipelines/default.yaml
 * (in the current folder, or the one shipped with faultline).
 */
export function pipelinePath(option: string | undefined, env = process.env): string {
  if (option) return option;
  if (env.FAULTLINE_PIPELINE) return env.FAULTLINE_PIPELINE;
  const local = 'pipelines/default.yaml';
  return existsSync(local) ? local : resolve(projectRoot(), local);
}

export function loadPipelineOption(option: string | undefined): { file: string; pipeline: PipelineConfig } {
  const file = pipelinePath(option);
  return { file, pipeline: loadPipeline(file) };
}
