/** A failure answered to the caller in Clumio's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Clumio does not publish its numeric error codes; 1000 + status keeps them unsigned, stable and
 * visibly different from the HTTP status they travel with.
 */
export function errorBody(status: number, message: string): string {
  return JSON.stringify({ errors: [{ error_code: 1000 + status, error_message: message }] });
}
