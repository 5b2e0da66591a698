import type { RecordedRequest } from './types.js';

/**
 * The most recent `max` requests. Trimming happens in batches (and on read) so a benchmark does not
 * pay an array shift per request, yet memory stays bounded.
 */
export class RequestLog {
  private readonly entries: RecordedRequest[] = [];

  constructor(private readonly max = 10_000) {}

  add(entry: RecordedRequest): void {
    this.entries.push(entry);
    if (this.entries.length >= this.max * 2) this.trim();
  }

  all(): RecordedRequest[] {
    this.trim();
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private trim(): void {
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }
}
