/**
 * One statement for many concurrent requests (group commit for writes, a shared IN-list for reads).
 *
 * At 1,000 authentications/s most of a request's CPU went into the round trips themselves: the
 * socket write of each statement to PostgreSQL (loopback TCP does the receiver's work in the sender's
 * system call), the knex/pool bookkeeping around it, and on SQLite a commit per INSERT that blocks the
 * event loop. Requests that arrive together now share one statement: an item is queued; the queue of
 * a database is executed as one statement as soon as its previous statement is done (at most one in
 * flight per database and kind, so batches grow with the load and stay at one item when idle); every
 * request still waits for its own result, so nothing is answered before its statement has run.
 *
 * Each request gets only its own result back. When the whole statement fails, its items are run one
 * by one so that only a bad item fails its own request. Inside a transaction an item is run on its own,
 * in that transaction.
 */
import type { EntityManager } from "@mikro-orm/core";

interface Pending<I, O> {
  item: I;
  done: (out: O) => void;
  failed: (err: unknown) => void;
}

/** `run(em, items)` executes one statement for all items and returns one output per item, in order. */
export type BatchStatement<I, O> = (em: EntityManager, items: I[]) => Promise<O[]>;

class Queue<I, O> {
  private pending: Pending<I, O>[] = [];
  private running = false;

  /** `em` is a fork kept only to reach the connection (it never holds entities). */
  constructor(
    private readonly em: EntityManager,
    private readonly run: BatchStatement<I, O>,
    private readonly maxBatch: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((done, failed) => {
      this.pending.push({ item, done, failed });
      if (this.running) return; // the statement in flight takes it along when it is done
      this.running = true;
      // Let the rest of this turn of the event loop queue its items too.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const out = await this.run(this.em, batch.map((p) => p.item));
        batch.forEach((p, i) => p.done(out[i]!));
      } catch {
        for (const p of batch) {
          await this.run(this.em, [p.item]).then((out) => p.done(out[0]!), p.failed);
        }
      }
    }
    this.running = false;
  }
}

export class Coalescer<I, O> {
  /** One queue per database (the ORM's connection object), so tests with several ORMs stay apart. */
  private readonly queues = new WeakMap<object, Queue<I, O>>();

  constructor(
    private readonly run: BatchStatement<I, O>,
    private readonly maxBatch: number,
  ) {}

  async submit(em: EntityManager, item: I): Promise<O> {
    if (em.getTransactionContext()) return (await this.run(em, [item]))[0]!;
    const connection = em.getConnection();
    let queue = this.queues.get(connection);
    if (!queue) {
      queue = new Queue(em.fork(), this.run, this.maxBatch);
      this.queues.set(connection, queue);
    }
    return queue.add(item);
  }
}
