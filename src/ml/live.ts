import { type LoadedVersion, loadModel, type ModelExpectation } from './registry.js';

/**
 * The model a server is using right now. `load` swaps in a new version only when it loads and
 * validates completely; on any failure it throws (ModelIntegrityError, ModelSchemaError, …) and
 * the current model stays live and untouched. The replaced model is disposed.
 */
export class LiveModel {
  private current: LoadedVersion | null = null;
  private swaps = 0;

  constructor(
    readonly root: string,
    private readonly expect: ModelExpectation = {},
  ) {}

  get(): LoadedVersion | null {
    return this.current;
  }

  /** number of successful loads */
  get generation(): number {
    return this.swaps;
  }

  async load(name: string, version: number | 'latest' = 'latest'): Promise<LoadedVersion> {
    const next = await loadModel(this.root, name, version, this.expect);
    const old = this.current;
    this.current = next;
    this.swaps++;
    old?.model.dispose();
    return next;
  }

  dispose(): void {
    this.current?.model.dispose();
    this.current = null;
  }
}
