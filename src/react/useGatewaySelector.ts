import { useSelector } from '@xstate/react';
import { getInitialSnapshot } from 'xstate';
import {
  type AgentGatewayClient,
  type ClientSnapshot,
  connectionMachine,
  toClientSnapshot,
} from '../index.js';

/** What a client that never connected reports, read off the machine itself. */
export const idleClientSnapshot: ClientSnapshot = toClientSnapshot(getInitialSnapshot(connectionMachine, {}));

/**
 * Follows one slice of a client's connection snapshot through `@xstate/react`'s `useSelector` on the
 * client's actor: the component re-renders only when the selected value changes (`compare`, default
 * `Object.is`). Without a client (`undefined`) the selector reads the idle snapshot.
 *
 * @example
 * const status = useGatewaySelector(client, (snapshot) => snapshot.status);
 */
export function useGatewaySelector<T>(
  client: AgentGatewayClient | undefined,
  selector: (snapshot: ClientSnapshot) => T,
  compare?: (a: T, b: T) => boolean,
): T {
  // The client caches one ClientSnapshot per machine snapshot, so selectors see stable objects.
  return useSelector(
    client?.actor,
    (snapshot) =>
      selector(snapshot === undefined || client === undefined ? idleClientSnapshot : client.getSnapshot()),
    compare,
  );
}
