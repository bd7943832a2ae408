import { fromCallback } from 'xstate';
import { clientDependencies } from './clientDependencies.js';

interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * Reports the browser coming back online (`env.online`) and the page becoming visible
 * (`env.visible`), so a waiting reconnect can go now. Does nothing where there is no window (Node),
 * or when its client's `watchEnvironment` is off.
 */
export const environmentActor = fromCallback(({ sendBack, system }) => {
  if (!clientDependencies(system).watchEnvironment) return;
  const scope = globalThis as Partial<EventSource> & {
    document?: EventSource & { visibilityState?: string };
  };
  if (typeof scope.addEventListener !== 'function' || typeof scope.removeEventListener !== 'function') return;
  const target = scope as EventSource;
  const doc = scope.document;
  const onOnline = () => sendBack({ type: 'env.online' });
  const onVisibility = () => {
    if (doc?.visibilityState === 'visible') sendBack({ type: 'env.visible' });
  };
  target.addEventListener('online', onOnline);
  doc?.addEventListener('visibilitychange', onVisibility);
  return () => {
    target.removeEventListener('online', onOnline);
    doc?.removeEventListener('visibilitychange', onVisibility);
  };
});
