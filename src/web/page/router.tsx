/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';

export type Route = { page: 'runs' } | { page: 'run'; run: string } | { page: 'job'; run: string; job: string };

/** The page an address shows. */
export function routeOf(path: string): Route {
  const parts = path.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
  if (parts[0] === 'runs' && parts[1] && parts[2] === 'jobs' && parts[3]) return { page: 'job', run: parts[1], job: parts[3] };
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', run: parts[1] };
  return { page: 'runs' };
}

export const runPath = (run: string): string => `/runs/${encodeURIComponent(run)}`;
export const jobPath = (run: string, job: string): string => `${runPath(run)}/jobs/${encodeURIComponent(job)}`;

/** Goes to a page of the app without reloading it. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
  // `/#inbox`: to that part of the page once it is drawn; else to the top.
  const anchor = path.includes('#') ? path.slice(path.indexOf('#') + 1) : '';
  if (anchor) requestAnimationFrame(() => document.getElementById(anchor)?.scrollIntoView());
  else scrollTo(0, 0);
}

/** A link within the app. */
export function Link(props: { href: string; class?: string; title?: string; children: ComponentChildren }) {
  return (
    <a
      href={props.href}
      class={props.class}
      title={props.title}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
