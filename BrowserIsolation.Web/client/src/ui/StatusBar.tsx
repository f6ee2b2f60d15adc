import type { ViewerState } from '../session/ViewerState';
import { transportLabel } from '../media/MediaTransport';

const statusLabel: Record<ViewerState['status'], string> = {
  loading: 'Loading',
  pending: 'Starting',
  ready: 'Ready',
  terminated: 'Ended',
  error: 'Failed',
  gone: 'Not found',
};

const connectionLabel: Record<ViewerState['connection'], string> = {
  connecting: 'Connecting',
  open: 'Connected',
  reconnecting: 'Reconnecting',
  closed: 'Disconnected',
};

/** Session status, then (while the session lives) connection, live transport and client-side fps. */
export function StatusBar({ state }: { state: ViewerState }) {
  const rtcNote =
    state.rtc === 'connecting' && state.transport !== 'webrtc' ? 'Trying WebRTC…' : state.transport === 'jpeg' ? state.transportNote : undefined;
  return (
    <div className="status-bar" aria-label="Session status">
      <span className={`chip chip--status chip--${state.status}`} data-testid="status" data-status={state.status} title="Session status">
        {statusLabel[state.status]}
      </span>
      {!state.ended && (
        <>
          <span
            className={`chip chip--connection chip--${state.connection}`}
            data-testid="connection"
            data-connection={state.connection}
            title="Control connection (input and events)"
          >
            <span className="dot" aria-hidden="true" />
            {connectionLabel[state.connection]}
          </span>
          <span
            className={`chip chip--transport chip--${state.transport}`}
            data-testid="transport"
            data-transport={state.transport}
            data-rtc={state.rtc}
            title={rtcNote ?? 'Live picture transport'}
          >
            {transportLabel[state.transport]}
          </span>
          {rtcNote && (
            <span className="status-bar__note" data-testid="transport-note" title={rtcNote}>
              {rtcNote}
            </span>
          )}
          <span className="chip chip--fps" data-testid="fps" data-fps={state.fps} title="Frames drawn per second in this browser">
            {state.fps} fps
          </span>
        </>
      )}
    </div>
  );
}
