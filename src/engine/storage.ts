/**
 * Storages (blocks of a backend's heap behind tensors), their owners ('persistent', a step
 * generation, a noGrad scope, borrowed, or spilled to the JS heap) and the step generations that
 * retire them (see src/engine/memory.ts for the rules).
 */
import type { Backend, HostWords } from './backend/types.js';

type OwnerList = Storage[];
/**
 * - 'persistent': freed on dispose() or when the Storage object is garbage-collected;
 * - a list: a step generation or noGrad scope, which retires it (spill or free) when it ends;
 * - 'borrowed': a view of a block someone else owns (a compiled program's result block);
 * - 'spilled': no block, its contents live in `spilled` on the JS heap (ordinary GC).
 */
export type Owner = 'persistent' | 'borrowed' | 'spilled' | OwnerList;

/** What only the engine can reach: a storage tied to a graph node is needed while the node is not freed. */
export interface GraphUse {
  readonly freed: boolean;
}
/** Never reachable by user code, nor needed once its step is over (gradient buffers, scratch). */
export const SCRATCH: GraphUse = { freed: true };

/** Where the finalizer frees a persistent storage's block (it must not reference the Storage). */
interface Block {
  backend: Backend;
  ptr: number;
  words: number;
}
const finalizer = new FinalizationRegistry<Block>((b) => b.backend.heap.free(b.ptr, b.words));

export class Storage {
  /** False once disposed (or freed with its compiled program): using it is a RecycledTensorError. */
  alive = true;
  /** True when it was freed by dispose(), for the error message. */
  disposed = false;
  /** Bumped by in-place writes; autodiff checks saved inputs were not modified. */
  version = 0;
  /** Step in which it was freed (for the error message). */
  diedAt = -1;
  /** The contents while spilled (owner 'spilled'), else null. */
  spilled: HostWords | null = null;
  /** How many times it was spilled: a storage made resident again after its second spill is long-lived (persistent). */
  spills = 0;
  /**
   * Who can reach it besides the engine: null = a user handle may (retiring spills it); a graph
   * use = only that graph node's backward (spilled while the node is not freed, else freed).
   */
  graphOnly: GraphUse | null = null;
  /** A cleared gradient the user read through `t.grad` (so it may be held: spilled, not freed). */
  exposed = false;

  constructor(
    readonly backend: Backend,
    /** Word offset of its block; 0 while spilled. */
    public ptr: number,
    readonly words: number,
    public owner: Owner,
    /** What made it: op name or creation function, for error messages. */
    readonly label: string,
    /** Step it was made in. */
    readonly born: number,
  ) {}

  get resident(): boolean {
    return this.alive && this.owner !== 'spilled';
  }

  /** Hands its block to the finalizer: freed when this Storage is garbage-collected (or on release). */
  persist(): void {
    this.owner = 'persistent';
    finalizer.register(this, { backend: this.backend, ptr: this.ptr, words: this.words }, this);
  }

  /** Takes a persistent storage back from the finalizer (its block is freed some other way now). */
  unpersist(): void {
    if (this.owner === 'persistent') finalizer.unregister(this);
  }

  /** Frees it for good: a later use is a RecycledTensorError. */
  release(): void {
    if (!this.alive) return;
    this.alive = false;
    this.diedAt = lifetimes.step;
    this.unpersist();
    if (this.owner !== 'spilled' && this.owner !== 'borrowed') this.backend.heap.free(this.ptr, this.words);
    this.spilled = null;
  }

  /** Copies the contents to the JS heap and gives the block back (a borrowed block stays with its owner). */
  spill(): void {
    if (!this.resident) return;
    this.spilled = this.backend.save(this.ptr, this.words);
    if (this.owner !== 'borrowed') this.backend.heap.free(this.ptr, this.words);
    this.owner = 'spilled';
    this.ptr = 0;
    this.spills++;
  }

  /** End of its step or scope: spilled if something may still read it, else freed. */
  retire(): void {
    if (this.graphOnly === null || !this.graphOnly.freed) this.spill();
    else this.release();
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

  /** Called when backward() finishes: retire step k-1, keep step k resident for one more step. */
  endStep(): void {
    retireAll(this.previous);
    this.previous = this.current;
    this.current = [];
    this.step++;
  }

  /** Whether `list` is a step generation or noGrad scope (a compiled program's pinned list is not). */
  owns(list: OwnerList): boolean {
    return list === this.current || list === this.previous || this.scopes.includes(list);
  }

  openScope(): void {
    this.scopes.push([]);
  }

  /** Retires a scope's blocks except `survivors`, which move to the enclosing owner. */
  closeScope(survivors: Set<Storage>): void {
    const scope = this.scopes.pop()!;
    const parent = this.transientOwner();
    for (const s of scope) {
      if (s.owner !== scope) continue;
      if (survivors.has(s)) {
        s.owner = parent;
        parent.push(s);
      } else s.retire();
    }
  }
}

function retireAll(list: OwnerList): void {
  for (const s of list) if (s.owner === list) s.retire();
  list.length = 0;
}

export const lifetimes = new Lifetimes();
