import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef } from 'react';
import { session } from './session';

let client: Client | null = null;
let clientToken: string | null = null;

/** One graphql-ws connection per session, on the API's /graphql path. */
function live(): Client | null {
  const token = session.token();
  if (!token) return null;
  if (client && clientToken === token) return client;
  client?.dispose();
  clientToken = token;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = createClient({ url, connectionParams: () => ({ authorization: `Bearer ${session.token()}` }), retryAttempts: Infinity, lazy: true, shouldRetry: () => true });
  return client;
}

export function closeLive() {
  client?.dispose();
  client = null;
  clientToken = null;
}

/**
 * Calls `onEvent` for every event of a subscription while the component is mounted.
 * Bursts are coalesced: at most one call per `debounceMs`, with the latest event.
 */
export function useSubscription<T = any>(query: string | null, variables: Record<string, unknown>, onEvent: (data: T) => void, debounceMs = 300) {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = JSON.stringify(variables);
  useEffect(() => {
    const c = query ? live() : null;
    if (!c || !query) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T;
    const dispose = c.subscribe<T>(
      { query, variables: JSON.parse(key) },
      {
        next: (v) => {
          if (!v.data) return;
          last = v.data as T;
          // A throttle, not a debounce: under steady traffic the handler still runs every debounceMs.
          if (timer !== undefined) return;
          timer = setTimeout(() => {
            timer = undefined;
            handler.current(last);
          }, debounceMs);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    return () => {
      clearTimeout(timer);
      dispose();
    };
  }, [query, key, debounceMs]);
}

export const APPLICATION_CHANGED = 'subscription($id: ID) { applicationChanged(id: $id) { kind application { id version } } }';
