/**
 * @module file-kind
 * What an input file is before it is read as manifests: an unrendered Helm template or a
 * kustomization (errors that say how to render them first), a repository file that is not a
 * manifest at all (package.json, tsconfig.json, values.yaml, Chart.yaml, or any file without an
 * apiVersion/kind/cniVersion key: ignored, named in one summary line), or manifests. Decided from the file name and a look at the text, never from
 * the name alone: a `values.yaml` that holds `kind:` objects is read.
 */
export type FileKind =
  | { readonly type: "manifests" }
  | { readonly type: "not-a-manifest" }
  | { readonly type: "helm-template"; readonly offset: number }
  | { readonly type: "kustomization" };

/** Repository files that are never Kubernetes manifests (by base name). */
const NOT_MANIFESTS = [
  /^package(-lock)?\.json$/, /^tsconfig(\..+)?\.json$/, /^jsconfig\.json$/, /^composer\.json$/, /^renovate\.json$/,
  /^values(\..+)?\.ya?ml$/, /^Chart\.(ya?ml|lock)$/, /^requirements\.ya?ml$/, /^\.?(pre-commit-config|golangci|goreleaser|yamllint|codecov|mkdocs)\.ya?ml$/,
  /^(docker-)?compose(\..+)?\.ya?ml$/, /^skaffold\.ya?ml$/, /^devfile\.ya?ml$/, /^\.?eslintrc(\..+)?\.json$/,
];

const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;

/** A Go-template action as Helm writes them; `{{ $labels.x }}` (Prometheus rules) is not one. */
const HELM_ACTION = /\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|\.Template|include\b|template\b|toYaml\b|tpl\b|if\b|else\b|range\b|with\b|define\b|end\b|\/\*)/;

/** Chart.yaml has an apiVersion too; only objects have a kind. */
const HAS_KIND = /^\s*"?kind"?\s*:/m;
/** Any key a manifest or CNI configuration has, anywhere (JSON on one line included). */
const HAS_OBJECT_KEY = /(^|[{,\s])"?(apiVersion|kind|cniVersion)"?\s*:/;

export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

export function classifyFile(path: string, text: string): FileKind {
  const base = baseName(path);
  if (KUSTOMIZATION.test(base)) return { type: "kustomization" };
  const helm = text.includes("{{") ? HELM_ACTION.exec(text) : null;
  if (helm) return { type: "helm-template", offset: helm.index };
  if (NOT_MANIFESTS.some((re) => re.test(base)) && !HAS_KIND.test(text)) return { type: "not-a-manifest" };
  // A data file with no apiVersion, kind or cniVersion key at all (a JSON report, a config file).
  // Not stdin: what a user pipes in is meant as input, and its errors are shown.
  if (path !== "<stdin>" && !/\.(conflist|conf)$/.test(base) && /\S/.test(text) && !HAS_OBJECT_KEY.test(text)) return { type: "not-a-manifest" };
  return { type: "manifests" };
}
