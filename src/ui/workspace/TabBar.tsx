import { formatRoute, TABS, type Route } from './route';

/** The studio's areas as links: each is a URL, so the back button and a shared link work. */
export function TabBar({ current }: { current: Route }) {
  return (
    <nav className="tab-bar" aria-label="Studio areas">
      {TABS.map((t) => (
        <a
          key={t.id}
          href={formatRoute({ ...current, tab: t.id })}
          className={t.id === current.tab ? 'tab current' : 'tab'}
          aria-current={t.id === current.tab ? 'page' : undefined}
          data-testid={`tab-${t.id}`}
        >
          {t.label}
        </a>
      ))}
    </nav>
  );
}
