import type { Plugin } from 'graphql-yoga';
import type { ClumioHealth } from '../../clumio/client.js';

const endpoint = '/readiness';

/**
 * `/readiness`: 200 while the gateway can serve (configured, Clumio's circuit breaker not open),
 * 503 while the breaker fails fast. `/health` (Yoga's) only says the process is alive. An open
 * breaker reads as half-open once its cool-down has passed, so a replica taken out of rotation
 * comes back on its own and its next call probes Clumio.
 *
 * Every request passes this hook, so it parses the URL only when the path may be its own
 * (Yoga's readiness plugin parses it, and matches a URL pattern, on every request).
 */
export function useReadiness(health: () => ClumioHealth): Plugin {
  return {
    onRequest(event) {
      const { request, fetchAPI } = event;
      if (!request.url.includes(endpoint) || new URL(request.url).pathname !== endpoint) return;
      const { breaker } = health();
      event.endResponse(fetchAPI.Response.json({ ready: breaker !== 'open', breaker }, { status: breaker === 'open' ? 503 : 200 }));
    },
  };
}
