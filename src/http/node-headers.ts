import type { IncomingHttpHeaders } from 'node:http';

/**
 * A Fetch `Headers` view over Node's already-parsed request headers: reads go straight to
 * `req.headers` (names are lower-case there), with no copy and no per-header validation.
 * A write (which no hook of ours makes) switches to a private copy, leaving `req` untouched.
 */
export class NodeHeaders implements Headers {
  #source: IncomingHttpHeaders;
  #copy: Headers | undefined;

  constructor(source: IncomingHttpHeaders) {
    this.#source = source;
  }

  #own(): Headers {
    if (this.#copy === undefined) {
      this.#copy = new Headers();
      for (const [name, value] of this.#pairs()) this.#copy.append(name, value);
    }
    return this.#copy;
  }

  *#pairs(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#source).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  get(name: string): string | null {
    if (this.#copy) return this.#copy.get(name);
    const value = this.#source[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#copy ? this.#copy.has(name) : this.#source[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    if (this.#copy) return this.#copy.getSetCookie();
    const value = this.#source['set-cookie'];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }

  set(name: string, value: string): void {
    this.#own().set(name, value);
  }

  append(name: string, value: string): void {
    this.#own().append(name, value);
  }

  delete(name: string): void {
    this.#own().delete(name);
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  entries(): HeadersIterator<[string, string]> {
    return (this.#copy ? this.#copy.entries() : this.#pairs()) as HeadersIterator<[string, string]>;
  }

  *keys(): HeadersIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): HeadersIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }
}
