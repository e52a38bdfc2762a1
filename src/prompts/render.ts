import { UserError } from '../core/errors.js';
import { TemplateSyntaxError, parseTemplate, renderTemplate, type Template, type TemplateIssue } from '../core/template.js';
import { resolveVariables, type VariableSources } from '../core/variables.js';
import { declaredDefaults, type Prompt } from './prompt.js';

/** Where a template body sits, so errors name the file's own line numbers. */
interface Located {
  body: string;
  bodyLine: number;
  /** Names the prompt or file in messages: "prompt 'x'" or "p.md". */
  label: string;
}

function at(located: Located, issue: TemplateIssue): string {
  return `line ${issue.line + located.bodyLine - 1}, column ${issue.column}`;
}

/** Parses a template body; a syntax error becomes a UserError naming the label, line and column. */
export function compileTemplate(located: Located): Template {
  try {
    return parseTemplate(located.body);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    throw new UserError(`The template in ${located.label} has an error at ${at(located, error.issue)}: ${error.issue.message}.`);
  }
}

/**
 * A prompt's text for one job: a template rendered with its variables
 * (precedence of DESIGN §4), a plain prompt as it is. Every missing variable
 * is named, with its line and column, in one UserError.
 */
export function renderPrompt(prompt: Prompt, sources: Omit<VariableSources, 'frontMatterDefaults'>): string {
  if (!prompt.meta.template) return prompt.body;
  const located = { body: prompt.body, bodyLine: prompt.bodyLine, label: `prompt '${prompt.meta.name}'` };
  const template = compileTemplate(located);
  const variables = resolveVariables({ ...sources, frontMatterDefaults: declaredDefaults(prompt.meta) });
  const result = renderTemplate(template, variables);
  if (result.ok) return result.text;
  const names = [...new Set(result.issues.map((issue) => issue.message.replace(/^missing variable \./, '')))];
  const where = result.issues.map((issue) => `${issue.message} (${at(located, issue)})`).join(', ');
  throw new UserError(
    `The template in ${located.label} cannot render: ${where}; pass ${names.map((name) => `--var ${name}=…`).join(' ')}.`,
  );
}
