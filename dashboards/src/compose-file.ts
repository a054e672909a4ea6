// Reads docker-compose.yml for the checks that `docker compose config` would do on a machine
// with Docker: which host paths it mounts or builds from, and which variables it interpolates.
import path from 'node:path';
import YAML from 'yaml';

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  environment?: Record<string, unknown> | string[];
  secrets?: Array<string | { source: string }>;
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string; environment?: string }>;
  volumes?: Record<string, unknown>;
}

/** Parses with YAML merge keys (`<<: *anchor`), which Compose supports. */
export function parseCompose(text: string): ComposeFile {
  return YAML.parse(text, { merge: true }) as ComposeFile;
}

export interface HostPath {
  service: string;
  kind: 'bind' | 'build context' | 'dockerfile' | 'secret file';
  /** Path relative to the compose file's directory, as written. */
  source: string;
  target?: string;
}

const isHostPath = (p: string) => p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || p === '.';

/** Every host path the file refers to; named volumes are not host paths. */
export function hostPaths(compose: ComposeFile): HostPath[] {
  const out: HostPath[] = [];
  for (const [service, def] of Object.entries(compose.services)) {
    if (def.build) {
      const context = typeof def.build === 'string' ? def.build : (def.build.context ?? '.');
      out.push({ service, kind: 'build context', source: context });
      if (typeof def.build !== 'string' && def.build.dockerfile) {
        out.push({ service, kind: 'dockerfile', source: path.join(context, def.build.dockerfile) });
      }
    }
    for (const volume of def.volumes ?? []) {
      if (typeof volume === 'string') {
        const [source, target] = volume.split(':');
        if (isHostPath(source)) out.push({ service, kind: 'bind', source, target });
      } else if (volume.type === 'bind' && volume.source) {
        out.push({ service, kind: 'bind', source: volume.source, target: volume.target });
      }
    }
  }
  for (const [name, secret] of Object.entries(compose.secrets ?? {})) {
    if (secret.file) out.push({ service: `secret ${name}`, kind: 'secret file', source: secret.file });
  }
  return out;
}

/** Names of the variables interpolated in a Compose file (`$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR:?x}`); `$$` is a literal dollar. */
export function interpolatedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text
    .replace(/\$\$/g, '')
    .matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:[:]?[-?+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    names.add(m[1] ?? m[2]);
  }
  return [...names].sort();
}

/** Variable names a .env.example documents, set (`NAME=`) or shown commented out (`# NAME=`). */
export function documentedEnvNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*#?\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}
