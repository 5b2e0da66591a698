import { createApp } from './app.js';
import { createGatewayServer } from './http/server-options.js';
import { drainServer } from './drain-server.js';
import { ConfigError, loadConfig } from './config.js';
import { seededExampleIds, type ExampleWalletIds } from './graphql/plugins/graphiql-examples.js';
import { exitOnListenFailure } from './listen-failure.js';
import { onStopSignals } from './stop-signals.js';
import { createLogger } from './observability/logger.js';
import type { Simulator } from './simulator/index.js';

// At exit, how long stdout may take no log line before the lines still waiting for it are
// dropped: a log collector that reads at all takes a batch in milliseconds.
const logStallMs = 5_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  let simulator: Simulator | undefined;
  let exampleIds: ExampleWalletIds | undefined;
  let clumioBaseUrl = config.clumioBaseUrl;
  if (clumioBaseUrl === null) {
    // Loaded only when it runs: a gateway in front of Clumio keeps none of its code in memory.
    const { createSimulator } = await import('./simulator/index.js');
    simulator = createSimulator({ autoInstallAfterMs: 30_000 });
    clumioBaseUrl = await simulator.listen(0, '127.0.0.1');
    exampleIds = await seededExampleIds(simulator);
  }

  const { logger, droppedLines, close: closeLog } = createLogger(config.logLevel);
  const app = createApp({
    config,
    clumioBaseUrl,
    logger,
    logLinesDropped: droppedLines,
    processMetrics: true,
    // Only the embedded simulator's demo token is known here; a real Clumio token is the caller's own.
    ...(simulator
      ? { graphiqlDefaults: { headers: { Authorization: `Bearer ${simulator.demoToken}` }, exampleIds } }
      : {}),
  });
  const server = createGatewayServer(config.http, app.handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  }).catch((error: unknown) => exitOnListenFailure(error, 'Clumio wallet gateway', config.port, config.host, 'PORT'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const graphqlUrl = `http://${shownHost}:${port}/graphql`;

  // SIGTERM: refuse new connections, let in-flight operations finish within the grace period,
  // then release the upstream pool (which waits for its own calls), write the log lines still
  // batched (unless stdout took none for logStallMs) and exit 0. Listened for before the banner.
  onStopSignals(async () => {
    const draining = drainServer(server, config.shutdownGraceMs);
    // Open subscription streams never finish on their own: complete them so the drain can end.
    await app.live.endSubscriptions();
    const inTime = await draining;
    if (!inTime) console.error(`Shutdown: connections still open after ${config.shutdownGraceMs} ms were closed.`);
    await app.close();
    await simulator?.close();
    // The lines still batched go to stdout, unless stdout stopped taking them (a stalled log
    // collector would otherwise hold the exit until the orchestrator kills the process).
    if (!(await closeLog(logStallMs))) {
      console.error(`Shutdown: stdout took no log line for ${logStallMs} ms; the lines still waiting for it were dropped.`);
    }
  });

  if (simulator) {
    const walletId = exampleIds?.read ?? '<an id from above>';
    console.log(
      [
        `Clumio wallet gateway on ${graphqlUrl}${config.graphiql ? ' (open it in a browser for GraphiQL)' : ''}`,
        `Upstream: the embedded Clumio simulator at ${clumioBaseUrl}`,
        '',
        `The simulator's demo token${config.graphiql ? " (already in GraphiQL's Headers tab)" : ''}; paste this line in`,
        'your shell for the README\'s curl examples:',
        '',
        `export CLUMIO_TOKEN='${simulator.demoToken}'`,
        '',
        'Try:',
        `  curl -s ${graphqlUrl} -H 'content-type: application/json' \\`,
        `    -H "authorization: Bearer $CLUMIO_TOKEN" \\`,
        `    -d '{"query":"{ wallets(first: 3) { nodes { id state } } }"}'`,
        '',
        `  mutation { refreshWallet(id: "${walletId}") { wallet { id state errorCode actions { canDelete } } } }`,
      ].join('\n'),
    );
  } else {
    console.log(`Clumio wallet gateway on ${graphqlUrl}, upstream ${clumioBaseUrl}`);
  }

}

await main();
