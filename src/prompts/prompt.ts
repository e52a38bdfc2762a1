import { UserError } from '../core/errors.js';

/** Prompts may be up to 10 MB (DESIGN §3): claude reads them from stdin. */
export const MAX_PROMPT_BYTES = 10 * 1024 * 1024;

/** A variable a template prompt declares in its front matter. */
export interface DeclaredVariable {
  description?: string;
  default?: string;
}

/** What a prompt's front matter says about it (DESIGN §10). */
export interface PromptMeta {
  name: string;
  description: string;
  template: boolean;
  variables: Record<string, DeclaredVariable>;
  /** Other front-matter keys (agent, model, permission_mode, …), kept as written. */
  extra: Record<string, unknown>;
}

/** A prompt in the library. */
export interface Prompt {
  meta: PromptMeta;
  body: string;
  /** The file line on which the body starts, for error positions. */
  bodyLine: number;
  path: string;
  /** The whole file as stored. */
  text: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws unless `name` is a valid prompt name: `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, no `..`. */
export function assertPromptName(name: string): void {
  if (!NAME.test(name) || name.includes('..')) {
    throw new UserError(
      `'${name}' is not a valid prompt name: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, with no '/' or '..'.`,
    );
  }
}

/** Reads the known fields of front matter; throws an Error naming a bad one. */
export function readMeta(data: Record<string, unknown>, fallbackName: string): PromptMeta {
  const { name, description, template, variables, ...extra } = data;
  if (name !== undefined && typeof name !== 'string') throw new Error('its front matter name: must be text');
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw new Error('its front matter description: must be text');
  }
  if (template !== undefined && typeof template !== 'boolean') {
    throw new Error('its front matter template: must be true or false');
  }
  return {
    name: name ?? fallbackName,
    description: description ?? '',
    template: template ?? false,
    variables: readVariables(variables),
    extra,
  };
}

function readVariables(value: unknown): Record<string, DeclaredVariable> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('its front matter variables: must map each name to a description or {description, default}');
  }
  const out: Record<string, DeclaredVariable> = {};
  for (const [name, spec] of Object.entries(value)) {
    if (typeof spec === 'string' || spec === null) {
      out[name] = spec === null ? {} : { description: spec };
    } else if (typeof spec === 'object' && !Array.isArray(spec)) {
      const { description, default: fallback } = spec as Record<string, unknown>;
      out[name] = {
        ...(description === undefined || description === null ? {} : { description: String(description) }),
        ...(fallback === undefined || fallback === null ? {} : { default: String(fallback) }),
      };
    } else {
      throw new Error(`its front matter variable ${name} must be a description or {description, default}`);
    }
  }
  return out;
}

/** The front matter to write for `meta`, known keys first. */
export function metaToData(meta: PromptMeta): Record<string, unknown> {
  return {
    name: meta.name,
    description: meta.description,
    template: meta.template,
    ...(Object.keys(meta.variables).length > 0 ? { variables: meta.variables } : {}),
    ...meta.extra,
  };
}

/** Defaults declared by the front matter, for template rendering. */
export function declaredDefaults(meta: PromptMeta): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.variables)) if (spec.default !== undefined) defaults[name] = spec.default;
  return defaults;
}
