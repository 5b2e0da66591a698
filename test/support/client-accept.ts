/** The Accept header urql sends with every request (@urql/core's fetch options). */
export const urqlAccept = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';

/** The Accept header Apollo Client 4's HttpLink sends. */
export const apolloAccept = 'application/graphql-response+json,application/json;q=0.9';
