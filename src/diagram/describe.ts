import { and, not, or, stateIn, type UnknownAction } from 'xstate';

type GuardOperator = 'and' | 'not' | 'or' | 'stateIn';

// XState's higher-order guards are functions tagged with a `check` implementation shared by every guard
// built with the same helper. Comparing against probes, rather than `function.name`, survives minifiers.
const GUARD_OPERATORS = new Map<unknown, GuardOperator>([
  [Reflect.get(and([]), 'check'), 'and'],
  [Reflect.get(not('probe'), 'check'), 'not'],
  [Reflect.get(or([]), 'check'), 'or'],
  [Reflect.get(stateIn('probe'), 'check'), 'stateIn'],
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function operatorOf(guard: unknown): GuardOperator | undefined {
  return isRecord(guard) ? GUARD_OPERATORS.get(guard.check) : undefined;
}

// `not` binds tighter than `and`/`or`, so only a nested `and`/`or` needs parentheses.
function describeOperand(guard: unknown): string {
  const operator = operatorOf(guard);
  return operator === 'and' || operator === 'or' ? `(${describeGuard(guard)})` : describeGuard(guard);
}

// An inline arrow function takes the name of the property it is written in (`guard`, `actions`), which
// says nothing about it.
function functionName(value: Record<string, unknown>, property: string): string {
  return typeof value.name === 'string' && value.name !== '' && value.name !== property
    ? value.name
    : 'inline';
}

function describeStateValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A readable name for a transition guard: `name`, `not name`, `a and (b or c)`, `in state` or `inline`. */
export function describeGuard(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (!isRecord(guard)) return 'inline';
  if (typeof guard !== 'function' && typeof guard.type === 'string') return guard.type;
  const operator = operatorOf(guard);
  const operands: string[] = Array.isArray(guard.guards) ? guard.guards.map(describeOperand) : [];
  switch (operator) {
    case 'not':
      return `not ${operands[0] ?? 'inline'}`;
    case 'and':
    case 'or':
      return operands.join(` ${operator} `);
    case 'stateIn':
      return `in ${describeStateValue(guard.stateValue)}`;
    default:
      return functionName(guard, 'guard');
  }
}

/**
 * A readable name for an action: its type when it is named (`'sendAuth'`, `{ type: 'sendAuth' }`), the
 * built-in type of an inline action creator (`xstate.assign`), else the function's name or `inline`.
 */
export function describeAction(action: UnknownAction): string {
  if (typeof action === 'string') return action;
  if (!isRecord(action)) return 'inline';
  return typeof action.type === 'string' ? action.type : functionName(action, 'actions');
}

/** The event label of a delayed transition: `after backoff` for a named delay, `after 500ms` for a number. */
export function describeDelay(delay: unknown): string {
  if (typeof delay === 'number') return `after ${delay}ms`;
  if (typeof delay === 'string') return `after ${delay}`;
  return `after ${isRecord(delay) ? functionName(delay, 'delay') : 'inline'}`;
}
