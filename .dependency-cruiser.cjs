/**
 * Module boundaries from DESIGN.md: imports go only downward in the module list, `core` imports
 * nothing of ours, and a module is entered only through its index.ts.
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
  governance: ['core', 'data', 'evaluation', 'drift', 'policy', 'store', 'audit', 'registry'],
  monitor: ['core', 'data', 'evaluation', 'drift', 'policy', 'store', 'audit', 'registry', 'governance'],
  gateway: ['core', 'monitor'],
  reports: ['core', 'data', 'evaluation', 'drift', 'policy', 'registry', 'audit'],
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
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
