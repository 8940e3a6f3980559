/** A tiny typed listener set: every `on*` returns its unsubscribe. */

export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  get size(): number {
    return this.set.size;
  }

  /** Calls every listener; one that throws is reported and does not stop the others. */
  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        console.error("[@atomiton/conductor] an event listener threw:", error);
      }
    }
  }
}
