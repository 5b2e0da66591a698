import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { ClumioHealth } from '../../clumio/client.js';

/**
 * `/readiness`: 200 while the gateway can serve (configured, Clumio's circuit breaker not open),
 * 503 while the breaker fails fast. `/health` (Yoga's) only says the process is alive. An open
 * breaker reads as half-open once its cool-down has passed, so a replica taken out of rotation
 * comes back on its own and its next call probes Clumio.
 */
export function useReadiness(health: () => ClumioHealth): Plugin {
  return useReadinessCheck({
    endpoint: '/readiness',
    check: ({ fetchAPI }) => {
      const { breaker } = health();
      return fetchAPI.Response.json({ ready: breaker !== 'open', breaker }, { status: breaker === 'open' ? 503 : 200 });
    },
  });
}
