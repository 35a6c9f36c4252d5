/**
 * A small Dockerfile reader: instructions (continuation lines joined, comments dropped) grouped
 * into build stages. No Docker engine runs where these tests run, so the image is checked by
 * reading it, and its HEALTHCHECK command is executed with Node directly.
 */

export interface DockerInstruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined with single spaces. */
  args: string;
  line: number;
}

export interface DockerStage {
  /** The `AS name` of the stage, or its index as a string. */
  name: string;
  baseImage: string;
  instructions: DockerInstruction[];
}

export interface Dockerfile {
  /** ARG instructions before the first FROM. */
  globalArgs: DockerInstruction[];
  stages: DockerStage[];
}

/** Parses Dockerfile text into stages of instructions. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  let pendingLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (!pending && (/^\s*#/.test(line) || line.trim() === '')) return;
    if (pending && /^\s*#/.test(line)) return; // comments inside a continued instruction
    if (!pending) pendingLine = index + 1;
    const continued = /\\\s*$/.test(line);
    pending += `${pending ? ' ' : ''}${line.replace(/\\\s*$/, '').trim()}`;
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending) as RegExpExecArray;
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2], line: pendingLine });
    pending = '';
  });
  if (pending) throw new Error(`line ${pendingLine}: the last instruction ends with a continuation backslash`);

  const file: Dockerfile = { globalArgs: [], stages: [] };
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      file.stages.push({ name: match[2] ?? String(file.stages.length), baseImage: match[1], instructions: [] });
    } else if (file.stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      file.globalArgs.push(instruction);
    } else {
      file.stages[file.stages.length - 1].instructions.push(instruction);
    }
  }
  return file;
}

/** The instructions of a stage with a given keyword. */
export function instructionsOf(stage: DockerStage, keyword: string): DockerInstruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** A COPY instruction read into flags, sources and destination. */
export interface CopyInstruction {
  from?: string;
  chown?: string;
  sources: string[];
  destination: string;
  line: number;
}

/** Reads `COPY [--from=x] [--chown=u:g] src... dest` (shell or JSON form). */
export function parseCopy(instruction: DockerInstruction): CopyInstruction {
  let rest = instruction.args.trim();
  const flags: Record<string, string> = {};
  for (;;) {
    const flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    if (!flag) break;
    flags[flag[1]] = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return {
    from: flags.from,
    chown: flags.chown,
    sources: parts.slice(0, -1),
    destination: parts[parts.length - 1],
    line: instruction.line,
  };
}

/** The exec-form (JSON array) command of a `HEALTHCHECK ... CMD [...]` instruction. */
export function healthcheckCommand(instruction: DockerInstruction): { options: Record<string, string>; command: string[] } {
  const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(\[.*\])$/s.exec(instruction.args);
  if (!match) throw new Error(`line ${instruction.line}: HEALTHCHECK must use CMD in exec (JSON array) form`);
  const options: Record<string, string> = {};
  for (const flag of match[1].matchAll(/--([a-z-]+)=(\S+)/g)) options[flag[1]] = flag[2];
  return { options, command: JSON.parse(match[2]) as string[] };
}

/** ENV instructions of a stage as a map (`ENV A=1 B=2` and the legacy `ENV A 1`). */
export function envOf(stage: DockerStage): Map<string, string> {
  const env = new Map<string, string>();
  for (const instruction of instructionsOf(stage, 'ENV')) {
    const pairs = [...instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)];
    if (pairs.length === 0) {
      const [key, ...value] = instruction.args.split(/\s+/);
      env.set(key, value.join(' '));
    }
    for (const [, key, value] of pairs) env.set(key, value.replace(/^"|"$/g, ''));
  }
  return env;
}

/**
 * Whether a `.dockerignore` pattern list excludes `relativePath` (last matching rule wins, `!`
 * re-includes). Supports the patterns these files use: names, `dir/`, `*`, `**`.
 */
export function isDockerIgnored(patterns: string[], relativePath: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    const regex = new RegExp(
      `^${pattern
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*')}(/.*)?$`,
    );
    if (regex.test(relativePath)) ignored = !negate;
  }
  return ignored;
}
