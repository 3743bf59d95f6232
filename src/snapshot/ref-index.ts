// A reverse index: which Ingresses point at a given Service or Secret ("namespace/name").
export class RefIndex {
  private readonly byTarget = new Map<string, Set<string>>();
  private readonly bySource = new Map<string, readonly string[]>();

  /** Replaces the targets that `source` refers to. */
  set(source: string, targets: readonly string[]): void {
    this.delete(source);
    if (targets.length === 0) return;
    this.bySource.set(source, targets);
    for (const t of targets) {
      let sources = this.byTarget.get(t);
      if (!sources) this.byTarget.set(t, (sources = new Set()));
      sources.add(source);
    }
  }

  delete(source: string): void {
    for (const t of this.bySource.get(source) ?? []) {
      const sources = this.byTarget.get(t);
      sources?.delete(source);
      if (sources?.size === 0) this.byTarget.delete(t);
    }
    this.bySource.delete(source);
  }

  has(target: string): boolean {
    return this.byTarget.has(target);
  }

  /** What `source` refers to. */
  targetsOf(source: string): readonly string[] {
    return this.bySource.get(source) ?? [];
  }

  lookup(target: string): readonly string[] {
    return [...(this.byTarget.get(target) ?? [])].sort();
  }
}
