import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../../observability/metrics.js';

/** Serves the Prometheus exposition at GET `endpoint` (default /metrics). */
export function useMetrics(metrics: Metrics, endpoint = '/metrics'): Plugin {
  return {
    // Synchronous for every other request: no promise on the GraphQL path.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return undefined;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return undefined;
      }
      return metrics.scrape().then(({ body, contentType }) => {
        endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': contentType } }));
      });
    },
  };
}
