import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { synopsis } from '../../../src/cli/help.js';
import { runInProcess } from '../../helpers/cli.js';

// run(argv, io) in this process: no servers; the store, where one is needed, is a local directory.
const store = `file://${mkdtempSync(path.join(tmpdir(), 'warmstart-cli-unit-'))}`;
const cli = (...args: string[]) => runInProcess(args, { WARMSTART_STORE: store });

describe('help', () => {
  it('--help lists every command with its usage and exits 0; no command at all prints it and exits 64', async () => {
    const help = await cli('--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^warmstart: refresh production models/);
    expect(help.stdout).toMatch(/usage: warmstart <command> \[options\]/);
    for (const command of COMMANDS) expect(help.stdout.replace(/\n\s+/g, ' ')).toContain(synopsis(command));
    expect(help.stdout).not.toContain('replay-history');
    const bare = await cli();
    expect(bare.code).toBe(64);
    expect(bare.stdout).toBe(help.stdout);
  });

  it('<command> --help lists that command\'s own options only, with their help, and exits 0', async () => {
    const { code, stdout } = await cli('publish', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: warmstart publish <files\.\.\.> --dataset <d> --label <col>/);
    expect(stdout).toMatch(/--label <col> +the label column \(required\)/);
    expect(stdout).toMatch(/-h, --help +this help/);
    expect(stdout).not.toMatch(/--every|--candidate/);
    expect((await cli('help', 'publish')).stdout).toBe(stdout);
  });

  it('check-history names its old alias; bench says --json <file> is gone', async () => {
    expect((await cli('replay-history', '--help')).stdout).toMatch(/^usage: warmstart check-history <workflowId> \| --file <history\.json>[^]*also runs as: warmstart replay-history/);
    expect((await cli('bench', 'continual', '--help')).stdout).toMatch(/--json-out <file> writes it \(--json <file> is no longer accepted\)/);
  });
});

describe('exit codes and the one error line', () => {
  it('usage errors exit 64 with one line on stderr and nothing on stdout', async () => {
    for (const args of [['frobnicate'], ['check', '--bogus'], ['refresh', '--model', 'm'], ['worker', '--role', 'gpu']]) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(64);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^warmstart: /);
    }
    expect((await cli('worker', '--role', 'gpu')).stderr).toBe('warmstart: --role must be all, control or training (got "gpu")');
    expect((await cli('check-history')).stderr).toBe('warmstart: usage: warmstart check-history <workflowId> | --file <history.json>');
  });

  it('a bad model spec for bench is a usage error naming the field', async () => {
    const badModel = await cli('bench', 'continual', '--dataset', 'x', '--old', '1', '--new', '2', '--model', '{"kind":"mlp","hidden":[0]}');
    expect(badModel.code).toBe(64);
    expect(badModel.stderr).toMatch(/^warmstart: --model: model.hidden must be a list of positive integers/);
    expect((await cli('bench', 'continual', '--dataset', 'x', '--versions', '1')).stderr).toBe('warmstart: --versions/--steps needs at least 2 versions');
    expect((await cli('bench', 'continual', '--dataset', 'x', '--old', '1')).stderr).toBe('warmstart: --new is required');
  });

  it('configuration and data problems exit 2 with the error code', async () => {
    const badName = await cli('validate', '--dataset', 'Not OK', '--version', '1');
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/^warmstart: error \[CONFIG_INVALID\]: dataset name "Not OK" is not valid/);
    const missing = await cli('validate', '--dataset', 'nope', '--version', '4');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^warmstart: error \[\w+\]: .*dataset nope has no version 4/);
    const badStore = await runInProcess(['check'], { WARMSTART_STORE: 'ftp://x' });
    expect(badStore).toMatchObject({ code: 2, stdout: '' });
    expect(badStore.stderr).toMatch(/^warmstart: error \[CONFIG_INVALID\]: WARMSTART_STORE must start with s3:\/\/ or file:\/\//);
    expect((await runInProcess(['check', '--store', 'ftp://x'])).stderr).toMatch(/error \[CONFIG_INVALID\]: --store must start with/);
  });

  it('check reaches the store named by --store or the environment, as text or JSON', async () => {
    const text = await cli('check');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toBe(`ok: store ${store} reachable; Temporal 127.0.0.1:7233, namespace default\n`);
    const json = await runInProcess(['check', '--json', '--store', store], { TEMPORAL_ADDRESS: '10.0.0.1:7233' });
    expect(JSON.parse(json.stdout)).toEqual({ store, temporal: '10.0.0.1:7233', namespace: 'default' });
  });
});

describe('docs/cli.md', () => {
  it('shows `warmstart --help` exactly as the declarations print it', async () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/cli.md', import.meta.url)), 'utf8');
    const { stdout } = await cli('--help');
    expect(doc).toContain(`\`\`\`text\n${stdout}\`\`\``);
  });
});
