/**
 * Module boundaries from docs/architecture.md: imports go only downward in the module list, `core` imports
 * nothing of ours, and a module is entered only through its index.ts. Benchmarks (bench/) enter the
 * build only through dist/<module>/index.js.
 */
const modules = {
  core: [],
  data: ['core'],
  evaluation: ['core'],
  drift: ['core'],
  policy: ['core'],
  store: ['core'],
  audit: ['core', 'store'],
  registry: ['core', 'store', 'audit'],
  slo: ['core'],
  repro: ['core'],
  openlineage: ['core', 'data'],
  governance: ['core', 'data', 'evaluation', 'drift', 'policy', 'store', 'audit', 'registry', 'slo'],
  monitor: [
    'core',
    'data',
    'evaluation',
    'drift',
    'policy',
    'store',
    'audit',
    'registry',
    'governance',
    'slo',
  ],
  gateway: ['core', 'drift', 'slo'],
  reports: ['core', 'data', 'evaluation', 'drift', 'policy', 'registry', 'audit', 'repro'],
  server: null,
  cli: null,
};

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
  {
    name: 'enter-modules-through-index',
    comment: 'Another module is imported only through its index.ts.',
    severity: 'error',
    from: { path: '^src/([^/]+)/' },
    to: { path: '^src/([^/]+)/(?!index\\.ts$).+', pathNot: '^src/$1/' },
  },
];

// Benchmarks use Warden as its users do: through a built module's public door, dist/<module>/index.js,
// beside node builtins, npm packages, their own folder and the shared helpers in bench/lib.
// (A checkout given by --root is loaded by bench/lib/warden-dist.mjs, which builds the same path.)
forbidden.push(
  {
    name: 'bench-enters-dist-through-index',
    comment: 'A bench script imports only dist/<module>/index.js; export what it needs from the index.ts.',
    severity: 'error',
    from: { path: '^bench/' },
    // Unresolved (before a build) the path is the import as written: ../../dist/…
    to: { path: '^(\\.\\./)*dist/', pathNot: '^(\\.\\./)*dist/[^/]+/index\\.js$' },
  },
  {
    name: 'bench-imports-no-source',
    comment: 'A bench script measures the build (dist/), not the TypeScript sources.',
    severity: 'error',
    from: { path: '^bench/' },
    to: { path: '^src/' },
  },
  {
    name: 'bench-imports-own-folder-and-lib',
    comment: "A benchmark imports its own folder's files and bench/lib, not another benchmark's.",
    severity: 'error',
    from: { path: '^bench/([^/]+)/' },
    to: { path: '^bench/', pathNot: ['^bench/$1/', '^bench/lib/'] },
  },
);

for (const [name, allowed] of Object.entries(modules)) {
  if (allowed === null) continue;
  const others = Object.keys(modules).filter((m) => m !== name && !allowed.includes(m));
  forbidden.push({
    name: `${name}-imports-only-${allowed.length ? allowed.join('-') : 'nothing'}`,
    severity: 'error',
    from: { path: `^src/${name}/` },
    to: { path: `^src/(${others.join('|')})/` },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: ['node_modules', '^dist/'] },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
