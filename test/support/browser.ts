/**
 * A stand-in for the browser's `window` and `document` events the client watches (`online`,
 * `visibilitychange`), installed on `globalThis` for one test file, counting its listeners so that a
 * disposed client can be shown to have removed its own.
 */
export interface FakeEnvironment {
  /** The browser comes back online. */
  goOnline(): void;
  /** The page is hidden, then visible again. */
  becomeVisible(): void;
  /** The page is hidden (and stays so). */
  hide(): void;
  /** Listeners currently attached to the window and the document. */
  listeners(): number;
  /** Puts `globalThis` back as it was. */
  uninstall(): void;
}

type Listener = Parameters<EventTarget['addEventListener']>[1];

/** Installs the stand-in; `uninstall` puts the previous globals back. */
export function installFakeEnvironment(): FakeEnvironment {
  const scope = globalThis as unknown as Record<string, unknown>;
  const saved = { add: scope.addEventListener, remove: scope.removeEventListener, document: scope.document };
  let count = 0;
  const counted = (target: EventTarget) => ({
    addEventListener: (type: string, listener: Listener) => {
      count++;
      target.addEventListener(type, listener);
    },
    removeEventListener: (type: string, listener: Listener) => {
      count--;
      target.removeEventListener(type, listener);
    },
  });
  const windowEvents = new EventTarget();
  const documentEvents = new EventTarget();
  const document = { ...counted(documentEvents), visibilityState: 'visible' };
  Object.assign(scope, counted(windowEvents), { document });
  return {
    goOnline: () => windowEvents.dispatchEvent(new Event('online')),
    becomeVisible: () => {
      document.visibilityState = 'hidden';
      documentEvents.dispatchEvent(new Event('visibilitychange'));
      document.visibilityState = 'visible';
      documentEvents.dispatchEvent(new Event('visibilitychange'));
    },
    hide: () => {
      document.visibilityState = 'hidden';
      documentEvents.dispatchEvent(new Event('visibilitychange'));
    },
    listeners: () => count,
    uninstall: () => {
      for (const [key, value] of Object.entries({
        addEventListener: saved.add,
        removeEventListener: saved.remove,
        document: saved.document,
      })) {
        if (value === undefined) delete scope[key];
        else scope[key] = value;
      }
    },
  };
}
