/** Which screen of the signed-in app is showing, kept in the URL path so reloads and Back work. */
export const VIEWS = {
  today: { path: '/', label: 'Today' },
  shift: { path: '/shift', label: 'Shift' },
  settings: { path: '/settings', label: 'Settings' },
  attention: { path: '/attention', label: 'Needs attention' },
  diagnostics: { path: '/diagnostics', label: 'Diagnostics' },
  job: { path: '/jobs/', label: 'Job' },
} as const;

export type View = keyof typeof VIEWS;

/** The screens in the main navigation. */
export const VIEW_ORDER: readonly Exclude<View, 'job' | 'attention' | 'diagnostics'>[] = ['today', 'shift', 'settings'];

export interface Route {
  readonly view: View;
  /** The open job, for `job`. */
  readonly jobId: string | null;
}

const JOB_PATH = /^\/jobs\/([A-Za-z0-9_.:-]{1,100})$/;

export function routeForPath(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const job = JOB_PATH.exec(path);
  if (job?.[1]) return { view: 'job', jobId: job[1] };
  const view = (['today', 'shift', 'settings', 'attention', 'diagnostics'] as const).find((v) => VIEWS[v].path === path) ?? 'today';
  return { view, jobId: null };
}

export function viewForPath(pathname: string): View {
  return routeForPath(pathname).view;
}

export function pathFor(view: View, jobId: string | null = null): string {
  return view === 'job' && jobId !== null ? `${VIEWS.job.path}${encodeURIComponent(jobId)}` : VIEWS[view].path;
}

class Navigation {
  #route = $state<Route>(typeof location === 'undefined' ? { view: 'today', jobId: null } : routeForPath(location.pathname));

  #started = false;

  get view(): View {
    return this.#route.view;
  }

  get jobId(): string | null {
    return this.#route.jobId;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    window.addEventListener('popstate', () => (this.#route = routeForPath(location.pathname)));
  }

  go(view: View, jobId: string | null = null): void {
    if (view === this.view && jobId === this.jobId) return;
    this.#route = { view, jobId: view === 'job' ? jobId : null };
    history.pushState(null, '', pathFor(view, jobId));
  }

  openJob(jobId: string): void {
    this.go('job', jobId);
  }
}

export const navigation = new Navigation();
