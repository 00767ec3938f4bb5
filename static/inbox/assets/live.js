// Live updates: the relay's event stream (`GET /inbox/api/events`, server-sent events) says
// which conversation changed; the page refetches it. EventSource reconnects by itself after a
// dropped connection; when the relay refuses the stream outright (signed out, restarted
// without it) it stops, and this tries again later, slower each time.

/**
 * Listens for changes: `onChange({site, id})` for a changed conversation, `onChange(null)` after
 * a reconnection (events may have been missed); `onState` gets connecting, live or offline.
 */
export function listen({ onChange, onState, onRefused }) {
  let source = null;
  let delay = 2_000;
  let connectedBefore = false;

  function open() {
    onState('connecting');
    source = new EventSource('/inbox/api/events');
    source.addEventListener('open', () => {
      onState('live');
      delay = 2_000;
      if (connectedBefore) onChange(null);
      connectedBefore = true;
    });
    source.addEventListener('conversation', (event) => {
      try {
        const changed = JSON.parse(event.data);
        if (changed && changed.site !== undefined && changed.id !== undefined) onChange(changed);
      } catch {
        onChange(null);
      }
    });
    // The relay could not keep up with this stream's changes: reload everything.
    source.addEventListener('resync', () => onChange(null));
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) {
        onState('connecting');
        return;
      }
      onState('offline');
      source.close();
      onRefused?.();
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 60_000);
    });
  }

  open();
  return () => source?.close();
}
