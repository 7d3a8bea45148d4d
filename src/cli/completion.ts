/**
 * @module completion
 * `kwire completion bash|zsh|fish`: shell completion scripts generated from the command tree
 * itself (commands, subcommands, options, which options take a path), so they never drift from
 * the CLI. zsh loads the bash function through `bashcompinit`, as zsh documents for bash
 * completions.
 */
import { Command } from "commander";
import { UsageError } from "./io.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** Options whose value is a path: the shell completes file names after them. */
const PATH_OPTIONS = new Set(["--filename", "--expect", "--kubeconfig", "--export", "--flow-log", "--pid-file"]);

interface Node {
  /** `kwire`, `kwire_lab`, `kwire_lab_up` */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly commands: readonly Node[];
  readonly options: readonly { readonly short?: string; readonly long?: string; readonly description: string; readonly takesValue: boolean }[];
}

function tree(cmd: Command, key: string): Node {
  return {
    key,
    name: cmd.name(),
    description: cmd.description(),
    commands: cmd.commands.map((c) => tree(c, `${key}_${c.name()}`)),
    options: cmd.options.map((o) => ({
      ...(o.short ? { short: o.short } : {}),
      ...(o.long ? { long: o.long } : {}),
      description: o.description,
      takesValue: o.required || o.optional,
    })),
  };
}

const all = (n: Node): Node[] => [n, ...n.commands.flatMap(all)];
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(root: Node): string {
  const nodes = all(root);
  const paths = nodes.filter((n) => n !== root).map((n) => n.key).join("|");
  const words = nodes.map((n) => {
    const w = [...n.commands.map((c) => c.name), ...n.options.flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined)), "--help"];
    return `    ${n.key}) words=${sq(w.join(" "))} ;;`;
  });
  const pathOpts = [...new Set(nodes.flatMap((n) => n.options.filter((o) => o.long !== undefined && PATH_OPTIONS.has(o.long)).flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined))))];
  return `# kwire bash completion: source <(kwire completion bash)
_kwire() {
  local cur prev key w i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  key=kwire
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "\${key}_\${w}" in
      ${paths}) key="\${key}_\${w}" ;;
    esac
  done
  case "$prev" in
    ${pathOpts.join("|")}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  case "$key" in
${words.join("\n")}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  return 0
}
complete -o default -F _kwire kwire kubectl-kwire
`;
}

function zsh(root: Node): string {
  return `#compdef kwire kubectl-kwire
# kwire zsh completion: kwire completion zsh > "\${fpath[1]}/_kwire" (or: source <(kwire completion zsh))
autoload -U +X bashcompinit && bashcompinit
${bash(root).split("\n").slice(1).join("\n")}`;
}

function fish(root: Node): string {
  const lines = ["# kwire fish completion: kwire completion fish > ~/.config/fish/completions/kwire.fish"];
  for (const bin of ["kwire", "kubectl-kwire"]) {
    lines.push(`complete -c ${bin} -f`);
    const visit = (n: Node, chain: readonly string[]): void => {
      const here = chain.length === 0 ? "__fish_use_subcommand" : `__fish_seen_subcommand_from ${chain[chain.length - 1]}${n.commands.length > 0 ? `; and not __fish_seen_subcommand_from ${n.commands.map((c) => c.name).join(" ")}` : ""}`;
      for (const c of n.commands) lines.push(`complete -c ${bin} -n ${sq(here)} -a ${c.name} -d ${sq(c.description.slice(0, 80))}`);
      if (chain.length > 0) {
        const cond = `__fish_seen_subcommand_from ${chain[chain.length - 1]}`;
        for (const o of n.options) {
          const flags = [o.short ? `-s ${o.short.replace(/^-/, "")}` : "", o.long ? `-l ${o.long.replace(/^--/, "")}` : ""].filter((x) => x !== "").join(" ");
          const value = o.takesValue ? (o.long !== undefined && PATH_OPTIONS.has(o.long) ? " -r -F" : " -r") : "";
          lines.push(`complete -c ${bin} -n ${sq(cond)} ${flags}${value} -d ${sq(o.description.slice(0, 80))}`);
        }
      }
      for (const c of n.commands) visit(c, [...chain, c.name]);
    };
    visit(root, []);
  }
  return lines.join("\n") + "\n";
}

export function completionScript(program: Command, shell: string): string {
  const root = tree(program, "kwire");
  switch (shell) {
    case "bash": return bash(root);
    case "zsh": return zsh(root);
    case "fish": return fish(root);
    default: throw new UsageError(`completion: the shell must be one of ${SHELLS.join(", ")}, not "${shell}"`);
  }
}

export function completionCommand(io: { readonly out: (s: string) => void }, setExit: (n: number) => void, program: () => Command): Command {
  return new Command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", SHELLS.join("|"))
    .action((shell: string) => {
      io.out(completionScript(program(), shell));
      setExit(0);
    });
}
