// The one import mapping from CDK for Terraform to CDK Terrain (cdktn), shared by the esbuild
// plugin (tools/cdktn/bundle.ts) and the jest resolver (resolver.cjs). It is a rule over
// specifiers, not a list of files, so a module or resource type added tomorrow maps too:
//   cdktf[/x]                    -> cdktn[/x]
//   constructs[/x]               -> constructs[/x]   (the version in this folder: cdktn's peer range)
//   @cdktf/provider-<p>[/lib/x]  -> @cdktn/provider-<p>[/lib/x]
// Any other @cdktf/* import has no fork equivalent and is refused with that reason.
'use strict';

const PROVIDER = /^@cdktf\/(provider-[a-z0-9-]+)(\/.*)?$/;

/**
 * The cdktn specifier for a cdktf-world specifier, or null when the specifier is not
 * framework code (it then resolves as usual). Throws for @cdktf packages the fork lacks.
 * @param {string} spec
 * @returns {string | null}
 */
function mapToCdktn(spec) {
  if (spec === 'cdktf' || spec.startsWith('cdktf/')) return `cdktn${spec.slice('cdktf'.length)}`;
  if (spec === 'constructs' || spec.startsWith('constructs/')) return spec;
  const m = PROVIDER.exec(spec);
  if (m) return `@cdktn/${m[1]}${m[2] ?? ''}`;
  if (spec.startsWith('@cdktf/')) {
    throw new Error(
      `${spec}: no CDK Terrain equivalent is mapped (only cdktf, constructs and @cdktf/provider-*); add a rule to tools/cdktn/alias.cjs`,
    );
  }
  return null;
}

module.exports = { mapToCdktn };
