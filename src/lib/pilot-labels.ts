// Display names for the pilots' stored enums (client-safe: only the messages are imported). Shared by the outcome
// pages and the pilot pages.
import type { CheckInStatus, PilotDecision, PilotStatus } from './server/db/schema';
import { m } from './paraglide/messages.js';

export const pilotStatusLabels = {
	proposed: m.outcomes_status_proposed,
	changes_requested: m.outcomes_status_changes_requested,
	declined: m.outcomes_status_declined,
	approved: m.outcomes_status_approved,
	running: m.outcomes_status_running,
	evaluating: m.outcomes_status_evaluating,
	decided: m.outcomes_status_decided
} as const satisfies Record<PilotStatus, () => string>;

export const pilotDecisionLabels = {
	scale: m.outcomes_decision_scale,
	adapt: m.outcomes_decision_adapt,
	stop: m.outcomes_decision_stop
} as const satisfies Record<PilotDecision, () => string>;

export const checkInStatusLabels = {
	on_track: m.outcomes_checkin_status_on_track,
	at_risk: m.outcomes_checkin_status_at_risk,
	off_track: m.outcomes_checkin_status_off_track
} as const satisfies Record<CheckInStatus, () => string>;
