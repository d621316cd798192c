// The layers of docs/ARCHITECTURE.md, enforced: `npm run check:deps` (and CI) fails an import
// that goes up a layer, a cycle, src/ reaching into test/ or bench/, or a migration importing
// code of ours (migrations are frozen in time; src/ changes under them).

/** Top to bottom; a layer imports only from the layers below it. */
const LAYERS = [
  // Entry points: the server process and its wiring, the `portcullis` command. They may import
  // each other (`portcullis serve` runs the server).
  ['app', 'cli'],
  ['http'],
  ['oidc'],
  ['domain'],
  ['storage'],
  ['config'],
];

const folders = (names) => `^src/(${names.join('|')})/`;

const upwardImports = LAYERS.slice(1).map((layer, index) => {
  const above = LAYERS.slice(0, index + 1).flat();
  return {
    name: `${layer.join('-')}-imports-no-layer-above`,
    comment: `src/${layer.join(', src/')} may import only layers below it, never ${above.join(', ')}.`,
    severity: 'error',
    from: { path: folders(layer) },
    to: { path: folders(above) },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...upwardImports,
    {
      name: 'shared-is-a-leaf',
      comment: 'src/shared (errors, logger, paths) is imported by every layer, so it imports none.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'src-imports-no-tests-or-bench',
      comment: 'The product never depends on its tests or its benchmark.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'migrations-import-nothing-of-ours',
      comment: 'A migration is frozen in time: it must not change when src/ does.',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^(src|test|bench|scripts)/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle of imports that run makes load order fragile and the layering meaningless. ' +
        'A type-only import is erased before anything runs, so a cycle through one is allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser; swc parses TypeScript for it.
    // Type-only imports count: a type from a layer above couples the layers just the same.
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
