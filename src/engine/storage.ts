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

/**
 * A pair of generations: the blocks made since the pair last turned over (`current`) and those of
 * the turn before (`previous`), with the words placed in `current`. The step generations are one
 * pair (it turns over when backward() finishes), each noGrad scope another.
 */
interface Generations {
  current: OwnerList;
  previous: OwnerList;
  words: number;
}

const generations = (): Generations => ({ current: [], previous: [], words: 0 });

/**
 * Words (64 MB) made in the innermost pair after which it turns over at the next op (settle), at
 * the least: code that never calls backward() (an evaluation loop, with or without noGrad around
 * it) keeps about two such spans resident instead of everything it ever made. After a training
 * step, twice the largest step, so that a step's blocks do not turn over before its backward (the
 * first step of a model whose step makes more than 64 MB does: its activations are spilled and
 * made resident again by its backward, results unchanged).
 */
const TURN_OVER_WORDS = 1 << 24;

/** Step generations and noGrad scopes. */
class Lifetimes {
  step = 0;
  /** The least words after which a generation pair turns over without a step (tests lower it). */
  turnOverWords = TURN_OVER_WORDS;
  /** Turn-overs by volume so far (settle; tests check that theirs happened). */
  turnOvers = 0;
  /**
   * While above zero, settle() does not turn over: a backward pass that stops to run tensor hooks
   * (user code, which may run ops) holds block addresses in its records across those calls.
   */
  held = 0;
  /**
   * Set when a request for a block failed (an OutOfMemoryError): the next settle() retires both
   * generations of the innermost pair, so that blocks a failed call made and nobody holds (the
   * first buffers of an op that ran out of memory half-way) do not wait for a turn-over by volume,
   * which a full heap would never reach.
   */
  short = false;
  /** The most words a step made so far, and this step's so far (turn-overs do not reset it); tests reset the first. */
  largestStep = 0;
  private stepWords = 0;
  private readonly steps = generations();
  private readonly scopes: Generations[] = [];

  private innermost(): Generations {
    return this.scopes.length > 0 ? this.scopes[this.scopes.length - 1] : this.steps;
  }

  transientOwner(): OwnerList {
    return this.innermost().current;
  }

  /** Puts s in `owner`; its words count toward the turn-over of the pair whose current list that is. */
  place(s: Storage, owner: OwnerList = this.transientOwner()): void {
    s.owner = owner;
    owner.push(s);
    const g = this.innermost();
    if (owner === g.current) g.words += s.words;
    if (owner === this.steps.current) this.stepWords += s.words;
  }

  /** Called when backward() finishes: retire step k-1, keep step k resident for one more step. */
  endStep(): void {
    this.largestStep = Math.max(this.largestStep, this.stepWords);
    this.stepWords = 0;
    turnOver(this.steps);
    this.step++;
  }

  /**
   * Before an op (engine.ts apply, where no block address is held yet): turns the innermost pair
   * over once its current list holds turnOverWords (or twice the largest step) words, twice after
   * a failed request (`short`). What the previous list held is retired as at a step's end: a tensor a handle may still reach is spilled
   * and stays valid, the rest is freed.
   */
  settle(): void {
    const g = this.innermost();
    if (this.held > 0) return;
    if (this.short) {
      this.short = false;
      turnOver(g);
    } else if (g.words < Math.max(this.turnOverWords, 2 * this.largestStep)) return;
    turnOver(g);
    this.turnOvers++;
  }

  /** Whether `list` is a step generation or noGrad scope (a compiled program's pinned list is not). */
  owns(list: OwnerList): boolean {
    const mine = (g: Generations) => list === g.current || list === g.previous;
    return mine(this.steps) || this.scopes.some(mine);
  }

  openScope(): void {
    this.scopes.push(generations());
  }

  /** Retires a scope's blocks except `survivors`, which move to the enclosing owner. */
  closeScope(survivors: Set<Storage>): void {
    const scope = this.scopes.pop()!;
    for (const list of [scope.previous, scope.current])
      for (const s of list) {
        if (s.owner !== list) continue;
        if (survivors.has(s)) this.place(s);
        else s.retire();
      }
  }
}

function turnOver(g: Generations): void {
  retireAll(g.previous);
  g.previous = g.current;
  g.current = [];
  g.words = 0;
}

function retireAll(list: OwnerList): void {
  for (const s of list) if (s.owner === list) s.retire();
  list.length = 0;
}

export const lifetimes = new Lifetimes();
