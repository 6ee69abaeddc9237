import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../../src-main/cli/program';
import { normscope } from './run-in-process';

/** The subcommands issue 9 names, as `normscope --help` lists them. */
const ISSUE_COMMANDS = ['serve', 'import', 'dicom', 'backbone', 'train', 'score', 'evaluate', 'thresholds', 'verdict', 'report', 'audit', 'models', 'pacs', 'demo'];

/** Commands that read only the files named on their command line, never the data directory. */
const STORE_FREE = new Set(['dicom info', 'backbone standin', 'backbone probe', 'evaluate']);

/** Every runnable command as its words, e.g. ['models', 'list'], with its description. */
function leafCommands(command: Command, path: string[] = []): { words: string[]; description: string }[] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const words = [...path, sub.name()];
      return sub.commands.length > 0 ? leafCommands(sub, words) : [{ words, description: sub.description() }];
    });
}

describe('normscope --help', () => {
  it('lists every subcommand of issue 9 and documents exit codes and NORMSCOPE_DATA_DIR', async () => {
    const help = await normscope(['--help']);
    expect(help.code).toBe(0);
    for (const name of ISSUE_COMMANDS) expect(help.out).toMatch(new RegExp(`^  ${name}( |$)`, 'm'));
    expect(help.out).toMatch(/^Exit codes:\n {2}0 {2}success\n {2}1 {2}failure.*\n {2}2 {2}usage error/m);
    expect(help.out).toContain('NORMSCOPE_DATA_DIR');
  });

  it('gives each command a help page with its description, exit 0, and --data-dir wherever it uses the data directory', async () => {
    const leaves = leafCommands(createProgram());
    expect(leaves.map((l) => l.words.join(' '))).toEqual(expect.arrayContaining(['thresholds show', 'thresholds calibrate', 'verdict', 'models list', 'audit verify']));
    for (const { words, description } of leaves) {
      const name = words.join(' ');
      expect(description, `${name} has a description`).not.toBe('');
      const help = await normscope([...words, '--help']);
      expect(help.code, `${name} --help`).toBe(0);
      expect(help.out, `${name} --help`).toContain(`Usage: normscope ${name}`);
      expect(help.out.includes('--data-dir <dir>'), `${name} --help mentions --data-dir`).toBe(!STORE_FREE.has(name));
    }
  });
});
