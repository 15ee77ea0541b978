import { InboundEventSchema, type InboundEvent } from '../core/messages.js';

/** The inbox's keys and payload format; its SQL lives in store.ts. */

export function eventKeyOf(event: InboundEvent): string {
  return `${event.platform}:${event.eventId}`;
}

/**
 * The one key an event is claimed under: a message's platform message id (a retry of the event carries the
 * same one, and so does a re-delivery under a new event id), otherwise the event id (card clicks).
 */
export function claimKeyOf(event: InboundEvent): string {
  return event.kind === 'message' && event.messageId ? `m:${event.platform}:${event.messageId}` : `e:${eventKeyOf(event)}`;
}

/** An inbox row's stored event, checked. */
export function parsePayload(row: { payload: string }): InboundEvent {
  return InboundEventSchema.parse(JSON.parse(row.payload));
}
