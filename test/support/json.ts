// JSON bodies as the tests read them: parsed once into a declared shape, so a test states what it
// expects to find and the compiler checks every read of it. The shape is the test's claim; its
// expectations are what check the answer.

/** A response body parsed as JSON into the shape `T` the test expects. */
export async function readJson<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A JSON text parsed into the shape `T` the test expects. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** A GraphQL error as a response carries it. */
interface GraphQLErrorJson {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

/** A GraphQL response body: `T` is the operation's data. */
export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: GraphQLErrorJson[];
}
