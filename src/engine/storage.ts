/**
 * Storages (blocks of a backend's heap behind tensors) and their owners: 'persistent', a step
 * generation, or a noGrad scope (see src/engine/memory.ts for the rules).
 */
import type { Backend } from './backend/types.js';

type OwnerList = Storage[];
export type Owner = 'persistent' | OwnerList;

export class Storage {
  alive = true;
  /** Bumped by in-place writes; autodiff checks saved inputs were not modified. */
  version = 0;
  /** Number of Tensor handles registered for finalization (persistent storages only). */
  refs = 0;
  /** Step in which it was recycled (for the error message). */
  diedAt = -1;

  constructor(
    readonly backend: Backend,
    readonly ptr: number,
    readonly words: number,
    public owner: Owner,
    /** What made it: op name or creation function, for error messages. */
    readonly label: string,
    /** Step it was made in. */
    readonly born: number,
  ) {}

  release(): void {
    if (!this.alive) return;
    this.alive = false;
    this.diedAt = lifetimes.step;
    this.backend.heap.free(this.ptr, this.words);
  }
}

/** Step generations and noGrad scopes. */
class Lifetimes {
  step = 0;
  private current: OwnerList = [];
  private previous: OwnerList = [];
  private readonly scopes: OwnerList[] = [];

  transientOwner(): OwnerList {
    return this.scopes.length > 0 ? this.scopes[this.scopes.length - 1] : this.current;
  }

  /** Called when backward() finishes: recycle step k-1, keep step k valid for one more step. */
  endStep(): void {
    recycle(this.previous);
    this.previous = this.current;
    this.current = [];
    this.step++;
  }

  openScope(): void {
    this.scopes.push([]);
  }

  /** Recycle a scope's blocks except `survivors`, which move to the enclosing owner. */
  closeScope(survivors: Set<Storage>): void {
    const scope = this.scopes.pop()!;
    const parent = this.transientOwner();
    for (const s of scope) {
      if (s.owner !== scope) continue;
      if (survivors.has(s)) {
        s.owner = parent;
        parent.push(s);
      } else s.release();
    }
  }
}

function recycle(list: OwnerList): void {
  for (const s of list) if (s.owner === list) s.release();
  list.length = 0;
}

export const lifetimes = new Lifetimes();
