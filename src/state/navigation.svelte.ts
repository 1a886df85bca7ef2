/** Which screen of the signed-in app is showing, kept in the URL path so reloads and Back work. */
export const VIEWS = {
  today: { path: '/', label: 'Today' },
  shift: { path: '/shift', label: 'Shift' },
  settings: { path: '/settings', label: 'Settings' },
} as const;

export type View = keyof typeof VIEWS;

export const VIEW_ORDER: readonly View[] = ['today', 'shift', 'settings'];

export function viewForPath(pathname: string): View {
  const path = pathname.replace(/\/+$/, '') || '/';
  return VIEW_ORDER.find((view) => VIEWS[view].path === path) ?? 'today';
}

class Navigation {
  view = $state<View>(typeof location === 'undefined' ? 'today' : viewForPath(location.pathname));

  #started = false;

  start(): void {
    if (this.#started) return;
    this.#started = true;
    window.addEventListener('popstate', () => (this.view = viewForPath(location.pathname)));
  }

  go(view: View): void {
    if (view === this.view) return;
    this.view = view;
    history.pushState(null, '', VIEWS[view].path);
  }
}

export const navigation = new Navigation();
