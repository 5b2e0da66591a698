import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../../observability/metrics.js';

/** Serves the Prometheus exposition at GET `endpoint` (default /metrics). */
export function useMetrics(metrics: Metrics, endpoint = '/metrics'): Plugin {
  return {
    // Synchronous for every other request (method first: GraphQL POSTs never parse the URL here).
    onRequest(event) {
      const { request, url, fetchAPI } = event;
      if ((request.method !== 'GET' && request.method !== 'HEAD') || url.pathname !== endpoint) return undefined;
      return metrics.scrape().then(({ body, contentType }) => {
        event.endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': contentType } }));
      });
    },
  };
}
