import type {
  AgentInterventionInteractionKind,
  AgentInterventionProvider,
  AgentInterventionRenderArguments,
  AgentInterventionRenderOption,
  AgentInterventionRenderQuestion,
  AgentInterventionRequestData,
} from './types.js';

const INTERACTION_KINDS: ReadonlySet<string> = new Set<AgentInterventionInteractionKind>([
  'permission',
  'plan',
  'question',
]);
const PROVIDERS: ReadonlySet<string> = new Set<AgentInterventionProvider>([
  'claude-code',
  'codex',
  'cursor',
  'devin',
  'droid',
  'qoder',
]);
const MAX_QUESTIONS = 4;
const MAX_OPTIONS = 16;

type Fields = Record<string, unknown>;

const record = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;

/** A non-empty string of at most `max` characters, or `undefined`. */
const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;

/** Thrown inside the sanitizer when the request must be refused whole. */
class Refused extends Error {}

function refuse(): never {
  throw new Refused();
}

/**
 * The only form of an `agent_intervention_request` that may be stored for later review, or
 * `undefined` when it must not be: an `askUserQuestion` with a known interaction kind and provider,
 * a finite deadline, and 1–4 well-formed questions (exactly one for permissions and plans) of 1–16
 * options each. Unknown keys and anything malformed or ambiguous are dropped or refuse the whole
 * request; permission and plan options must carry ids, so a label is never taken for consent.
 * The same rules and result as LobeHub's function of this name.
 *
 * @example
 * const stored = sanitizeAgentInterventionRequestForReview(event.data);
 */
export function sanitizeAgentInterventionRequestForReview(
  request: AgentInterventionRequestData | undefined,
): AgentInterventionRequestData | undefined {
  if (
    request === undefined ||
    request === null ||
    request.apiName !== 'askUserQuestion' ||
    !INTERACTION_KINDS.has(request.interactionKind ?? '') ||
    !PROVIDERS.has(request.provider ?? '') ||
    !Number.isFinite(request.deadline)
  )
    return undefined;
  try {
    const questions = sanitizeQuestions(
      request.interactionKind as AgentInterventionInteractionKind,
      request.arguments,
    );
    return {
      apiName: request.apiName,
      arguments: JSON.stringify({ questions } satisfies AgentInterventionRenderArguments),
      deadline: request.deadline,
      identifier: request.identifier,
      interactionKind: request.interactionKind,
      provider: request.provider,
      toolCallId: request.toolCallId,
    };
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}

function sanitizeQuestions(
  kind: AgentInterventionInteractionKind,
  json: string,
): AgentInterventionRenderQuestion[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return refuse();
  }
  const raw = record(parsed)?.questions;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > MAX_QUESTIONS) return refuse();
  // A permission or a plan is one decision.
  if (kind !== 'question' && raw.length !== 1) return refuse();
  const seen = new Set<string>();
  return raw.map((value) => {
    const question = sanitizeQuestion(kind, value);
    if (seen.has(question.question)) return refuse();
    seen.add(question.question);
    return question;
  });
}

function sanitizeQuestion(
  kind: AgentInterventionInteractionKind,
  value: unknown,
): AgentInterventionRenderQuestion {
  const fields = record(value) ?? refuse();
  const question = text(fields.question, 4_000) ?? refuse();
  const header = fields.header === '' ? '' : (text(fields.header, 200) ?? refuse());
  const { multiSelect, options } = fields;
  if (multiSelect !== undefined && typeof multiSelect !== 'boolean') return refuse();
  if (kind !== 'question' && multiSelect === true) return refuse();
  if (!Array.isArray(options) || options.length < 1 || options.length > MAX_OPTIONS) return refuse();
  const ids = new Set<string>();
  return {
    header,
    multiSelect: multiSelect === true,
    options: options.map((option) => sanitizeOption(kind, option, ids)),
    question,
  };
}

function sanitizeOption(
  kind: AgentInterventionInteractionKind,
  value: unknown,
  ids: Set<string>,
): AgentInterventionRenderOption {
  const fields = record(value) ?? refuse();
  const label = text(fields.label, 200) ?? refuse();
  // A malformed id on a question's option is dropped; a permission's or a plan's must be there.
  const id = text(fields.id, 200);
  if (kind !== 'question' && id === undefined) return refuse();
  const description =
    fields.description === undefined ? undefined : (text(fields.description, 1_000) ?? refuse());
  if (id !== undefined) {
    if (ids.has(id)) return refuse();
    ids.add(id);
  }
  return { ...(description ? { description } : {}), ...(id ? { id } : {}), label };
}
