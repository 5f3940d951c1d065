// What every view gets from the app frame: the time-zone switch, error reporting and
// navigation between views. Views call these instead of importing each other, so a
// view is a folder under features/ that the frame (main.ts) mounts. No IPC, no state.
import type { EventFilterDto } from "../bindings/EventFilterDto";

export interface AppContext {
  /** Times in UTC (true) or local time (false). */
  utc(): boolean;
  showError(error: unknown): void;
  /** A message that is not a failure (e.g. "Exported 120 events to …"). */
  showNotice(message: string): void;
  /** Shows the events view with this filter, replacing the current one. */
  showEvents(filter: EventFilterDto): void;
  /** Shows the events view with one event's detail open. */
  openEvent(eventIdx: number): void;
  /** Shows a record's history, with its state at `at` (RFC 3339) or after its last event. */
  openRecord(targetType: string, targetId: string, at?: string | null): void;
  /** Shows the actors view with one actor chosen. */
  openActor(actorId: string): void;
  /** Re-verifies the open case and shows what it found in the verification sidebar. */
  reverify(): Promise<void>;
}

/** A mounted view: its root element, and a re-render for a time-zone switch. */
export interface ViewHandle {
  root: HTMLElement;
  /** Re-renders what is shown (e.g. after the UTC toggle); fetches nothing new. */
  refresh(): void;
  /** Called when its tab is shown; may fetch. */
  shown?(): void;
}
