import {
  type AgentInterventionRequestData,
  sanitizeAgentInterventionRequestForReview as sanitize,
} from 'agent-gateway-client/lobehub';
import { describe, expect, it } from 'vitest';

type Question = Record<string, unknown>;

const permission = (question: Question = {}): Question => ({
  header: 'Permission',
  multiSelect: false,
  options: [
    { id: 'yes', label: 'Allow', extra: 'dropped' },
    { id: 'no', label: 'Deny' },
  ],
  question: 'Run the migration?',
  ...question,
});

function request(
  questions: Question[] = [permission()],
  overrides: Partial<AgentInterventionRequestData> = {},
): AgentInterventionRequestData {
  return {
    apiName: 'askUserQuestion',
    arguments: JSON.stringify({ rawToolInput: 'dropped', questions }),
    deadline: 1_900_000_000_000,
    identifier: 'claude-code',
    interactionKind: 'permission',
    provider: 'claude-code',
    toolCallId: 'call-1',
    ...overrides,
  };
}

const questionsOf = (sanitized: AgentInterventionRequestData | undefined) =>
  (JSON.parse(sanitized?.arguments ?? 'null') as { questions: Question[] } | null)?.questions;

describe('sanitizeAgentInterventionRequestForReview', () => {
  it('keeps exactly the review fields, and of each question and option only what renders it', () => {
    const sanitized = sanitize({ ...request(), ...({ secret: 'x' } as object) });
    expect(sanitized).toEqual({
      apiName: 'askUserQuestion',
      arguments: JSON.stringify({
        questions: [
          {
            header: 'Permission',
            multiSelect: false,
            options: [
              { id: 'yes', label: 'Allow' },
              { id: 'no', label: 'Deny' },
            ],
            question: 'Run the migration?',
          },
        ],
      }),
      deadline: 1_900_000_000_000,
      identifier: 'claude-code',
      interactionKind: 'permission',
      provider: 'claude-code',
      toolCallId: 'call-1',
    });
  });

  it.each(['claude-code', 'codex', 'cursor', 'devin', 'droid', 'qoder'] as const)(
    'accepts the provider %s',
    (provider) => {
      expect(sanitize(request(undefined, { provider }))).toMatchObject({ provider });
    },
  );

  it('refuses what it cannot trust: no request, another tool, an unknown or missing kind or provider, no deadline', () => {
    expect(sanitize(undefined)).toBeUndefined();
    expect(sanitize(request(undefined, { apiName: 'runShell' }))).toBeUndefined();
    expect(sanitize(request(undefined, { interactionKind: undefined }))).toBeUndefined();
    expect(sanitize(request(undefined, { interactionKind: 'vote' as never }))).toBeUndefined();
    expect(sanitize(request(undefined, { provider: undefined }))).toBeUndefined();
    expect(sanitize(request(undefined, { provider: 'other' as never }))).toBeUndefined();
    expect(sanitize(request(undefined, { deadline: Number.NaN }))).toBeUndefined();
    expect(sanitize(request(undefined, { arguments: '{not json' }))).toBeUndefined();
  });

  it('refuses a permission option without an id, and repeated option ids', () => {
    expect(sanitize(request([permission({ options: [{ label: 'Allow' }] })]))).toBeUndefined();
    expect(
      sanitize(
        request([
          permission({
            options: [
              { id: 'a', label: 'Allow' },
              { id: 'a', label: 'Deny' },
            ],
          }),
        ]),
      ),
    ).toBeUndefined();
  });

  it('a permission or a plan is one single-choice question', () => {
    for (const interactionKind of ['permission', 'plan'] as const) {
      const two = [permission(), permission({ question: 'And the rollback?' })];
      expect(sanitize(request(two, { interactionKind }))).toBeUndefined();
      expect(sanitize(request([permission({ multiSelect: true })], { interactionKind }))).toBeUndefined();
      expect(
        questionsOf(sanitize(request([permission({ multiSelect: undefined })], { interactionKind }))),
      ).toEqual([expect.objectContaining({ multiSelect: false })]);
    }
  });

  it('questions: up to four, distinct, multi-select allowed; options need no id', () => {
    const question = (text: string, multiSelect?: boolean): Question => ({
      header: '',
      ...(multiSelect === undefined ? {} : { multiSelect }),
      options: [
        { label: 'A', description: 'the first' },
        { label: 'B', id: 7 },
      ],
      question: text,
    });
    const sanitized = sanitize(
      request([question('One?', true), question('Two?')], { interactionKind: 'question' }),
    );
    expect(questionsOf(sanitized)).toEqual([
      {
        header: '',
        multiSelect: true,
        options: [{ description: 'the first', label: 'A' }, { label: 'B' }],
        question: 'One?',
      },
      {
        header: '',
        multiSelect: false,
        options: [{ description: 'the first', label: 'A' }, { label: 'B' }],
        question: 'Two?',
      },
    ]);
    const five = ['1?', '2?', '3?', '4?', '5?'].map((text) => question(text));
    expect(sanitize(request(five, { interactionKind: 'question' }))).toBeUndefined();
    expect(
      sanitize(request([question('Same?'), question('Same?')], { interactionKind: 'question' })),
    ).toBeUndefined();
    expect(sanitize(request([], { interactionKind: 'question' }))).toBeUndefined();
  });

  it('refuses malformed questions and options', () => {
    const question = (fields: Question) =>
      request([{ ...permission(), ...fields }], { interactionKind: 'question' });
    expect(sanitize(question({ multiSelect: 'false' }))).toBeUndefined();
    expect(sanitize(question({ multiSelect: null }))).toBeUndefined();
    expect(sanitize(question({ question: '' }))).toBeUndefined();
    expect(sanitize(question({ question: 'x'.repeat(4_001) }))).toBeUndefined();
    expect(sanitize(question({ header: 3 }))).toBeUndefined();
    expect(sanitize(question({ options: [] }))).toBeUndefined();
    expect(
      sanitize(question({ options: Array.from({ length: 17 }, (_, i) => ({ label: `o${i}` })) })),
    ).toBeUndefined();
    expect(sanitize(question({ options: [{ label: '' }] }))).toBeUndefined();
    expect(sanitize(question({ options: [{ label: 'A', description: 5 }] }))).toBeUndefined();
    expect(sanitize(question({ options: ['A'] }))).toBeUndefined();
  });
});
