import { useEffect, useMemo, useState } from 'react';
import { readConfig } from './config';
import { hideToken, navigate, readRoute, type Route } from './routing';
import { StartPage } from './ui/StartPage';
import { ViewerPage } from './ui/ViewerPage';

/** Two screens, chosen by the URL: the start form, or `?session=<id>` for a viewer (deep links work). */
export function App() {
  const [route, setRoute] = useState<Route>(() => readRoute());
  const [notice, setNotice] = useState<string | null>(null);
  const config = useMemo(() => readConfig(), []);

  useEffect(() => {
    const onPop = () => setRoute(readRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  // A join link's token leaves the address bar as soon as the viewer has it (history, bookmarks, Referer).
  useEffect(() => hideToken(route), [route]);

  if (route.view === 'viewer') {
    return (
      <ViewerPage
        key={route.sessionId}
        session={{ sessionId: route.sessionId, token: route.token }}
        config={config}
        onExit={(message) => {
          setNotice(message ?? null);
          navigate({ view: 'start' });
        }}
      />
    );
  }
  return (
    <StartPage
      config={config}
      notice={notice}
      onReady={(sessionId, token) => {
        setNotice(null);
        navigate({ view: 'viewer', sessionId, token });
      }}
    />
  );
}
