import { useEffect, useState } from 'react';

/** The connection statuses seen so far, newest last (the e2e test reads it). */
export function TransitionLog({ status, error }: { status: string; error: Error | undefined }) {
  const [log, setLog] = useState<string[]>([]);
  useEffect(
    () => setLog((entries) => (entries.at(-1) === status ? entries : [...entries, status].slice(-40))),
    [status],
  );
  return (
    <section className="log">
      <h2>Connection log</h2>
      <ol data-testid="transition-log">
        {log.map((entry, index) => (
          <li key={index}>{entry}</li>
        ))}
      </ol>
      {error && <p className="error">last error: {error.message}</p>}
    </section>
  );
}
