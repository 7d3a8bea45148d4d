/**
 * @module help
 * What `--help` says beyond the options: the meaning of `-n` per command (one sentence each,
 * the same everywhere it applies) and an Examples section for every command and subcommand.
 */
import type { Command } from "commander";

/** `-n, --namespace` per kind of command. */
export const NAMESPACE_HELP = {
  /** matrix, diff: connections are reported when one end is in the namespace. */
  report: "report the connections with at least one end in NS (to and from other namespaces and IP blocks too); the whole input is still modelled",
  /** test: expectations are checked when one end is in the namespace. */
  test: "check only the expectations with at least one end in NS; names without a namespace resolve in NS, as kubectl does",
  /** trace, dns: like kubectl. */
  resolve: "the namespace that names without one (web, deploy/web, svc/api) resolve in, as kubectl does (default: default)",
  /** serve: the page's initial filter. */
  serve: "open the page filtered on NS (the page keeps the whole input)",
  /** lint, proxy-rules: every namespace is reported. */
  unused: "not used by this command (every namespace is reported); kwire says so when it is given",
} as const;

/** Sets the description of `-n, --namespace` on a command that has it. */
export function namespaceHelp(cmd: Command, text: string): Command {
  const opt = cmd.options.find((o) => o.long === "--namespace");
  if (opt) opt.description = text;
  return cmd;
}

/** Examples per command path (`lab up` for subcommands). Every command has some (test/cli/habits.test.ts). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  matrix: [
    "kwire matrix -f manifests/                        # who can reach whom, per workload",
    "kwire matrix -f cluster.yaml --level pod -o json  # the ConnectivityMatrix JSON (docs/json-output.md)",
    "kwire matrix -f fixtures/demo -n production       # connections with one end in production",
    "kwire matrix -f big/ -o summary --json            # counts only",
    "kwire matrix --level service -f fixtures/demo     # workloads → Service ports, and what Ingresses/routes expose",
    "kwire matrix -f cluster.yaml -o json | jq .exposures  # north-south: proxy => backend : ports",
  ],
  trace: [
    "kwire trace production/frontend production/api-server:8080 -f fixtures/demo",
    "kwire trace deploy/web svc/api-server:http -n production -f fixtures/demo -o json",
    "kwire trace --from internet http://shop.example.com/ -f fixtures/demo",
    "kwire trace --from internet 192.168.1.11:8080 -f cluster.yaml  # a node address on a pod's hostPort",
  ],
  dns: [
    "kwire dns api-server.production --from production/frontend -f fixtures/demo",
    "kwire dns _http._tcp.web -n production -f fixtures/demo -o json",
  ],
  diff: [
    "kwire diff old/ new/                               # connections opened, closed, changed",
    "kwire diff git:main:k8s/ k8s/ -o md --exit-code    # a pull-request comment; exit 1 on change",
    "kwire diff --staged -f fixtures/scenarios/staged-calico  # what enforcing Calico's staged policies would change",
  ],
  test: [
    "kwire test -f fixtures/demo --expect fixtures/demo/expectations.yaml",
    "kwire test -f k8s/ --expect guardrails.yaml -o junit > report.xml",
  ],
  demo: ["kwire demo"],
  serve: [
    "kwire serve -f fixtures/demo                       # http://127.0.0.1:7420/",
    "kwire serve -f k8s/ --port 0                       # any free port",
    "kwire serve -f k8s/ --export site/                 # a static page that opens from file://",
  ],
  "proxy-rules": [
    "kwire proxy-rules -f fixtures/demo -o ipvs",
    "kwire proxy-rules -f k8s/ -o iptables --node node-a --cluster-cidr 10.244.0.0/16",
  ],
  lint: [
    "kwire lint -f k8s/",
    "kwire lint -f k8s/ -o sarif > kwire.sarif",
    "kwire lint -f k8s/ --check dns-egress-blocked --cni calico",
  ],
  lab: ["sudo kwire lab up -f fixtures/demo && sudo kwire lab probe && sudo kwire lab down"],
  "lab up": ["sudo kwire lab up -f fixtures/demo", "sudo kwire lab up -f k8s/ --nodes 3 --proxy kube-proxy"],
  "lab status": ["sudo kwire lab status -o json"],
  "lab probe": ["sudo kwire lab probe", "sudo kwire lab probe -o json --concurrency 16"],
  "lab exec": ["sudo kwire lab exec production/web-0 -- curl -s http://api-server.production:8080/"],
  "lab down": ["sudo kwire lab down"],
  "lab clean": ["sudo kwire lab clean                               # remove leftovers (kw-* netns, links, the kwire tables)"],
  cni: ["CNI_COMMAND=VERSION kwire cni < /dev/null"],
  "cni agent": ["kwire cni agent --socket kwire-cni --pid-file /run/kwire-cni.pid"],
  completion: ["source <(kwire completion bash)", "kwire completion zsh > \"${fpath[1]}/_kwire\"", "kwire completion fish > ~/.config/fish/completions/kwire.fish"],
  version: ["kwire version", "kwire version -o json"],
};

/** The path of a command below the program (`lab up`). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Adds the Examples section to every command below `program` that has examples. */
export function addExamples(program: Command): void {
  const visit = (cmd: Command): void => {
    for (const c of cmd.commands) {
      const ex = EXAMPLES[commandPath(c)];
      if (ex) c.addHelpText("after", `\nExamples:\n${ex.map((l) => `  ${l}`).join("\n")}\n`);
      visit(c);
    }
  };
  visit(program);
}
