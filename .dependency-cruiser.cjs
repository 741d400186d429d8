// The layer arrows of docs/architecture.md, enforced (`npm run lint:deps`, in .ci/run):
//   catalogs -> plan -> rules;  plan -> stacks -> modules;  app wires them;  report reads plans;
//   lambdas and client import no framework and no other layer; nothing imports __tests__ or
//   tools/ except tests and tools. Type-only imports count too: a layer that needs another's
//   types depends on it.
const FRAMEWORK = 'node_modules/(cdktf|constructs|@cdktf|cdktn|@cdktn)/';
const layer = (name, allowed) => ({
  name: `${name}-imports-only-${allowed.join('-') || 'itself'}`,
  comment: `${name}/ may import only ${[name, ...allowed].join(', ')} (and packages)`,
  severity: 'error',
  from: { path: `^${name}/` },
  to: {
    path: '^(app|catalogs|plan|rules|report|stacks|modules|lambdas|client|tools|__tests__|main\\.ts)',
    pathNot: [`^${name}/`, ...allowed.map((a) => `^${a}`)],
  },
});
module.exports = {
  forbidden: [
    layer('catalogs', ['lambdas/rotation/contract\\.ts']),
    layer('plan', ['catalogs/', 'lambdas/rotation/contract\\.ts']),
    layer('rules', ['catalogs/', 'plan/', 'lambdas/rotation/contract\\.ts']),
    layer('report', ['catalogs/', 'plan/']),
    // Constructs render documents they are given: the policy document type and its renderer, and
    // the builders' pure helpers; never a catalog, a plan of an environment or a stack.
    layer('modules', ['plan/policy\\.ts', 'plan/policies/', 'plan/types\\.ts', 'plan/arn\\.ts', 'lambdas/rotation/contract\\.ts']),
    layer('stacks', ['catalogs/', 'plan/', 'modules/', 'lambdas/']),
    layer('app', ['catalogs/', 'plan/', 'rules/', 'report/', 'stacks/']),
    layer('lambdas', []),
    layer('client', []),
    {
      name: 'no-framework-below-stacks',
      comment: 'the catalog, plan, rules, report, rotation functions and client never load the CDK framework',
      severity: 'error',
      from: { path: '^(catalogs|plan|rules|report|lambdas|client)/' },
      to: { path: FRAMEWORK },
    },
    {
      name: 'provider-deep-imports-only',
      comment: 'the provider barrel loads every resource class (seconds, ~570 MB): import lib/<type>',
      severity: 'error',
      from: {},
      to: { path: 'node_modules/@cdktf/provider-[a-z]+/lib/index\\.js$' },
    },
    {
      name: 'nothing-imports-tests',
      severity: 'error',
      from: { pathNot: '^__tests__/' },
      to: { path: '^__tests__/' },
    },
    {
      name: 'product-never-imports-tools',
      comment: 'tools/ (proofs, validate, bench, test helpers) may use the product, never the reverse',
      severity: 'error',
      from: { path: '^(main\\.ts|app|catalogs|plan|rules|report|stacks|modules|lambdas|client)/?' },
      to: { path: '^tools/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.build|cdktf\\.out|tools/cdktn/framework|client/dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
