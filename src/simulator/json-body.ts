import { ApiError } from './errors.js';

/** Request bodies are JSON whatever their Content-Type says: the Go SDK labels them text/plain. */
export function parseJsonObject(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiError(400, 'The request body must be a JSON object.');
  }
  return input as Record<string, unknown>;
}
