/**
 * The dependency graph of managed services ("api depends on db"). Services the configuration does not
 * name are isolated nodes. The configuration loader rejects cycles, so every walk terminates.
 */
export class DependencyGraph {
  private readonly deps = new Map<string, readonly string[]>();
  private readonly rdeps = new Map<string, string[]>();
  private readonly closure = new Map<string, ReadonlySet<string>>();

  constructor(services: Readonly<Record<string, { dependsOn: readonly string[] }>>) {
    for (const [name, s] of Object.entries(services)) {
      this.deps.set(name, [...s.dependsOn]);
      for (const d of s.dependsOn) {
        const list = this.rdeps.get(d) ?? [];
        list.push(name);
        this.rdeps.set(d, list);
      }
    }
  }

  /** Direct dependencies of `s`. */
  dependenciesOf(s: string): readonly string[] {
    return this.deps.get(s) ?? [];
  }

  /** Direct dependents of `s` (services that depend on it). */
  dependentsOf(s: string): readonly string[] {
    return this.rdeps.get(s) ?? [];
  }

  /** Everything `s` depends on, directly or not (s excluded). */
  allDependencies(s: string): ReadonlySet<string> {
    let c = this.closure.get(s);
    if (!c) {
      const out = new Set<string>();
      const stack = [...this.dependenciesOf(s)];
      while (stack.length > 0) {
        const n = stack.pop() as string;
        if (out.has(n)) continue;
        out.add(n);
        stack.push(...this.dependenciesOf(n));
      }
      c = out;
      this.closure.set(s, c);
    }
    return c;
  }

  /** Everything that depends on `s`, directly or not (s excluded), nearest first. */
  allDependents(s: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>([s]);
    const queue = [...this.dependentsOf(s)];
    while (queue.length > 0) {
      const n = queue.shift() as string;
      if (seen.has(n)) continue;
      seen.add(n);
      out.push(n);
      queue.push(...this.dependentsOf(n));
    }
    return out;
  }

  /** True when `a` depends on `b`, directly or transitively. */
  dependsOn(a: string, b: string): boolean {
    return this.allDependencies(a).has(b);
  }

  /** Length of the longest dependency chain below `s` (0 = depends on nothing). */
  depth(s: string): number {
    let best = 0;
    for (const d of this.dependenciesOf(s)) best = Math.max(best, 1 + this.depth(d));
    return best;
  }

  /**
   * `nodes` ordered so that every service comes after what it depends on (recover a database before
   * the services that use it); otherwise the input order is kept.
   */
  order(nodes: readonly string[]): string[] {
    const set = new Set(nodes);
    const out: string[] = [];
    const done = new Set<string>();
    const visit = (n: string) => {
      if (done.has(n)) return;
      done.add(n);
      for (const d of this.dependenciesOf(n)) {
        if (set.has(d)) visit(d);
        else for (const t of this.allDependencies(d)) if (set.has(t)) visit(t);
      }
      out.push(n);
    };
    for (const n of nodes) visit(n);
    return out;
  }
}
