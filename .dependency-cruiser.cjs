// The gateway's layers and the one direction imports flow (docs/architecture.md, "Layers").
// `npm run lint:deps` fails on an import cycle and on an import against this direction.

/** Bottom to top: a layer imports only from the layers before it in this list, never after. */
const layers = [
  { name: 'shared', path: '^src/(env-values|version|listen-failure|stop-signals|promises)\\.ts$' },
  { name: 'request', path: '^src/request/' },
  { name: 'clumio', path: '^src/clumio/' },
  { name: 'observability', path: '^src/observability/' },
  { name: 'graphql', path: '^src/(graphql|generated)/' },
  { name: 'http', path: '^src/http/' },
  { name: 'composition', path: '^src/(app|config|main|drain-server)\\.ts$' },
];

const upward = layers.slice(0, -1).map((layer, index) => ({
  name: `${layer.name}-imports-no-layer-above`,
  comment: `${layer.name} may import only from ${layers.slice(0, index).map((l) => l.name).join(', ') || 'no other layer'} (and itself).`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: layers.slice(index + 1).map((l) => l.path) },
}));

// Paths in some layer, or the simulator (which stands outside the layers).
const layered = [...layers.map((l) => l.path), '^src/simulator/'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other, however indirectly (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'every-module-in-a-layer',
      comment: 'A module of src/ outside every layer (and the simulator): give it a layer in the list above.',
      severity: 'error',
      from: { path: '^src/', pathNot: layered },
      to: {},
    },
    {
      name: 'imports-only-layered-modules',
      comment: 'An import of a module of src/ outside every layer (and the simulator): give it a layer in the list above.',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: layered },
    },
    {
      name: 'gateway-imports-no-simulator',
      comment: 'The simulator stands in for Clumio; only main.ts starts it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/simulator/', '^src/main\\.ts$'] },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'simulator-imports-only-the-contract',
      comment: "The simulator shares only Clumio's contract (regions) with the gateway, never its client or GraphQL.",
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: ['^src/simulator/', '^src/clumio/regions\\.ts$', layers[0].path] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
