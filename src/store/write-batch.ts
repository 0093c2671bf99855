import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';

/**
 * Writes of one collection that arrive while an earlier write is on the wire go out together as
 * one unordered bulk write (group commit): no write waits for a timer, and a burst of tickets costs
 * MongoDB a few commands instead of one per ticket. Each caller still learns its own outcome
 * (a duplicate key is that caller's error only).
 */
export class WriteBatch<T extends Document> {
  private waiting: Array<{ op: AnyBulkWriteOperation<T>; resolve: () => void; reject: (error: unknown) => void }> = [];
  private sending = false;

  constructor(
    private readonly collection: () => Collection<T>,
    private readonly maxBatch = 500,
  ) {}

  write(op: AnyBulkWriteOperation<T>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ op, resolve, reject });
      if (!this.sending) void this.send();
    });
  }

  private async send(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          await this.collection().bulkWrite(batch.map((entry) => entry.op), { ordered: false });
          for (const entry of batch) entry.resolve();
        } catch (error) {
          if (!(error instanceof MongoBulkWriteError)) {
            for (const entry of batch) entry.reject(error);
            continue;
          }
          const failed = new Map<number, unknown>();
          const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : Object.values(error.writeErrors ?? {});
          for (const writeError of writeErrors) failed.set(writeError.index, Object.assign(new Error(writeError.errmsg ?? 'write failed'), { code: writeError.code }));
          batch.forEach((entry, index) => (failed.has(index) ? entry.reject(failed.get(index)) : entry.resolve()));
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
