import type { ReactNode } from 'react';

/** What an area says when it has nothing to show yet, with the one action that fills it. */
export function EmptyState({ title, children, action, onAction }: { title: string; children: ReactNode; action: string; onAction: () => void }) {
  return (
    <section className="panel empty-state" aria-label={title}>
      <h2>{title}</h2>
      <p>{children}</p>
      <button className="primary" onClick={onAction}>
        {action}
      </button>
    </section>
  );
}
