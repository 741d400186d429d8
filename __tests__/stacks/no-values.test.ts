import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EnvironmentConfig } from '../../catalogs/types';
import { teamCatalogs } from '../support/fixtures';
import { resources, synth } from '../support/synth';

/**
 * Plants a distinct marker in every place a value could come from at synth time (a binary file,
 * the deploy-time variables' environment, generator settings) and proves none of them reaches
 * cdktf.out or the synth's own output. On the fixture team (__tests__/support/fixtures.ts); the
 * `no-values-in-output` invariant checks the value arguments of any catalog's stacks.
 */
describe('no secret value appears anywhere in cdktf.out', () => {
  const markers = {
    binary: 'MARKER-BINARY-7f3a9c',
    deployTime: 'MARKER-DEPLOY-51be02',
    jsonDeployTime: 'MARKER-JSONDEPLOY-c0ffee',
  };
  let files: Record<string, string>;
  let logs = '';

  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'markers-'));
    const binFile = path.join(dir, 'secret.bin');
    writeFileSync(binFile, Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(markers.binary)]));
    const team = teamCatalogs();
    const dev = team.find((e) => e.name === 'dev')!;
    const planted: EnvironmentConfig = {
      ...dev,
      secrets: [
        ...dev.secrets,
        {
          id: 'marker_bin',
          service: 'marker',
          component: 'bin',
          type: 'blob',
          description: 'binary marker',
          category: 'application',
          value: { kind: 'binary-file', path: binFile },
        },
      ],
    };
    // A deployer's environment holds the values while Terraform runs; synth must not read them.
    process.env.TF_VAR_payments_api_key_value = markers.deployTime;
    process.env.TF_VAR_orders_config_smtp_password = markers.jsonDeployTime;
    const spy = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error'), jest.spyOn(console, 'warn')];
    const writes = jest.spyOn(process.stdout, 'write');
    try {
      files = synth([planted, ...team.filter((e) => e.name !== 'dev')]).files;
    } finally {
      logs = [...spy.flatMap((s) => s.mock.calls), ...writes.mock.calls].map((c) => c.map(String).join(' ')).join('\n');
      for (const s of spy) s.mockRestore();
      writes.mockRestore();
      delete process.env.TF_VAR_payments_api_key_value;
      delete process.env.TF_VAR_orders_config_smtp_password;
    }
  });

  test.each(Object.entries(markers))('%s marker is absent from every file (plain and base64)', (_kind, marker) => {
    expect(Object.keys(files).length).toBeGreaterThan(6);
    const b64 = Buffer.from(marker).toString('base64').slice(0, 16);
    for (const [name, text] of Object.entries(files)) {
      expect({ name, hit: text.includes(marker) || text.includes(b64) }).toEqual({ name, hit: false });
    }
    expect(logs).not.toContain(marker);
  });

  test('no stack uses a state-storing value argument or a managed random resource', () => {
    for (const name of ['dev', 'staging', 'production']) {
      const stack = JSON.parse(files[`stacks/${name}/cdk.tf.json`]);
      for (const [, v] of resources(stack, 'aws_secretsmanager_secret_version')) {
        expect(v.secret_string).toBeUndefined();
        if (v.secret_binary !== undefined) expect(v.secret_binary).toMatch(/^\$\{filebase64\("\$\{path\.module\}\/[^"]+"\)\}$/);
        else expect(v.secret_string_wo).toMatch(/^\$\{(var\.|ephemeral\.|jsonencode\()/);
      }
      expect(Object.keys(stack.resource ?? {}).filter((t) => t.startsWith('random_'))).toEqual([]);
      expect(Object.keys(stack.data ?? {})).not.toContain('aws_secretsmanager_random_password');
      expect(Object.keys(stack.data ?? {})).not.toContain('aws_secretsmanager_secret_version');
    }
  });
});
